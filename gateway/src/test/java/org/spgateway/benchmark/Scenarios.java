package org.spgateway.benchmark;

import java.util.ArrayList;
import java.util.List;

/** Every benchmark scenario, by capability. Select with --scenarios=name,name. */
final class Scenarios {

	private Scenarios() {}

	static List<Scenario> all() {
		FoundationScenarios.Shared seeded = new FoundationScenarios.Shared();
		List<Scenario> all = new ArrayList<>(FoundationScenarios.all(seeded));
		all.addAll(IntakeScenarios.all());
		all.addAll(OutcomeScenarios.all(seeded));
		all.addAll(WorkflowScenarios.all(seeded));
		return all;
	}
}
