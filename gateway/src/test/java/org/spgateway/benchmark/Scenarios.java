package org.spgateway.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Every benchmark scenario, by capability. Select with --scenarios=name,name. */
final class Scenarios {

	private Scenarios() {}

	/** @param options the benchmark's options: {@code server-jvm} (the baseline's JVM too), {@code work-queue-tasks} */
	static List<Scenario> all(Map<String, String> options) {
		FoundationScenarios.Shared seeded = new FoundationScenarios.Shared();
		List<Scenario> all = new ArrayList<>(FoundationScenarios.all(seeded, options.getOrDefault("server-jvm", GatewayBenchmark.SERVER_JVM)));
		all.addAll(IntakeScenarios.all(Integer.parseInt(options.getOrDefault("work-queue-tasks", "25000"))));
		all.addAll(OutcomeScenarios.all(seeded));
		all.addAll(WorkflowScenarios.all(seeded));
		return all;
	}
}
