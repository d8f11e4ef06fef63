package org.spgateway.benchmark;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.spgateway.validation.GatewayValidator;
import org.spgateway.validation.ResourceValidator;
import org.spgateway.validation.ValidationReport;

/**
 * How fast this machine can validate each write scenario's request body and do nothing else: the
 * gateway's own validator (same profiles, same pool, same warm-up), on every core, in the benchmark's
 * process before the gateway starts. No request of that scenario can be served faster than this.
 */
final class ValidationCeiling {

	private ValidationCeiling() {}

	/** What a write scenario sends and the gateway validates: the resource type and a representative body. */
	record Body(String resourceType, String json) {}

	static String measure(List<Scenario> scenarios, Duration each) throws InterruptedException {
		List<Scenario> writes = scenarios.stream().filter(s -> s.validatedBody() != null).toList();
		if (writes.isEmpty() || each.isZero()) {
			return "";
		}
		ResourceValidator validator = GatewayValidator.build(FhirContext.forR4());
		int threads = Runtime.getRuntime().availableProcessors();
		StringBuilder table = new StringBuilder("### Validation alone\n\n")
				.append("The gateway's validator on ").append(threads).append(" threads in the benchmark's process, before the gateway starts,")
				.append(" validating each write scenario's body for ").append(each.toSeconds()).append(" s after validating them all in turn for as long")
				.append(" as a warm-up: the most requests a second the scenario could reach here if it did nothing but validate.\n\n")
				.append("| Scenario | Body | Validations/s | CPU ms each |\n|---|---|---:|---:|\n");
		for (Scenario s : writes) {
			ValidationReport report = validator.validate(s.validatedBody().json(), EncodingEnum.JSON, s.validatedBody().resourceType(), null);
			if (report.hasErrors()) {
				throw new IllegalStateException(s.name() + "'s body is not valid: " + report.errors());
			}
		}
		// The JIT settles only after some thousands of validations of each shape.
		for (int round = 0; round < 4; round++) {
			for (Scenario s : writes) {
				run(validator, s.validatedBody(), threads, each.dividedBy(4));
			}
		}
		for (Scenario s : writes) {
			Body body = s.validatedBody();
			long[] counted = run(validator, body, threads, each);
			table.append(String.format(Locale.ROOT, "| %s | %s, %.1f kB | %.0f | %.2f |%n", s.name(), body.resourceType(), body.json().length() / 1024.0,
					counted[0] / (double) each.toNanos() * 1e9, counted[1] / 1e6 / counted[0]));
		}
		return table.append("\n").toString();
	}

	/** Validates the body on every thread until the time is up: the count, and the process CPU time it took (ns). */
	private static long[] run(ResourceValidator validator, Body body, int threads, Duration duration) throws InterruptedException {
		OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
		AtomicBoolean stop = new AtomicBoolean();
		AtomicLong count = new AtomicLong();
		long cpu = os.getProcessCpuTime();
		List<Thread> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			Thread worker = new Thread(() -> {
				while (!stop.get()) {
					validator.validate(body.json(), EncodingEnum.JSON, body.resourceType(), null);
					count.incrementAndGet();
				}
			}, "validation-ceiling-" + t);
			worker.start();
			workers.add(worker);
		}
		Thread.sleep(duration.toMillis());
		stop.set(true);
		for (Thread worker : workers) {
			worker.join();
		}
		return new long[] {count.get(), os.getProcessCpuTime() - cpu};
	}
}
