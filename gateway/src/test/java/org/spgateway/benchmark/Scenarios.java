package org.spgateway.benchmark;

import java.util.ArrayList;
import java.util.List;

/** Every benchmark scenario, by capability. Select with --scenarios=name,name. */
final class Scenarios {

	private Scenarios() {}

	static List<Scenario> all() {
		List<Scenario> all = new ArrayList<>(FoundationScenarios.all());
		all.addAll(IntakeScenarios.all());
		return all;
	}
}
