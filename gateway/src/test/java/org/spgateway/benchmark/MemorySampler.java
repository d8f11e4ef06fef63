package org.spgateway.benchmark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Samples the server's memory during a soak: live heap after the last GC (from the gateway's own
 * metrics) and, when the benchmark started the server, its resident set size.
 */
final class MemorySampler {

	private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*([0-9.Ee+]+)");

	private final BenchmarkTarget target;
	private final GatewayProcess process;
	private final long started = System.nanoTime();
	private final List<double[]> samples = new ArrayList<>();
	private long lastSample;

	MemorySampler(BenchmarkTarget target, GatewayProcess process) {
		this.target = target;
		this.process = process;
	}

	void sample() {
		long now = System.nanoTime();
		if (now - lastSample < 15_000_000_000L) {
			return;
		}
		lastSample = now;
		try {
			Matcher m = VALUE.matcher(target.actuator("/actuator/metrics/jvm.gc.live.data.size"));
			double live = m.find() ? Double.parseDouble(m.group(1)) / 1048576 : Double.NaN;
			double rss = Double.NaN;
			if (process != null) {
				Path status = Path.of("/proc/" + process.pid() + "/status");
				if (Files.exists(status)) {
					for (String line : Files.readAllLines(status)) {
						if (line.startsWith("VmRSS:")) {
							rss = Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024;
						}
					}
				}
			}
			samples.add(new double[] {(now - started) / 1e9, live, rss});
		} catch (Exception e) {
			// a missed sample is not a failed benchmark
		}
	}

	String table() {
		StringBuilder t = new StringBuilder("| Elapsed s | Live heap after GC MB | Process RSS MB |\n|---:|---:|---:|\n");
		for (double[] s : samples) {
			t.append(String.format(Locale.ROOT, "| %.0f | %.0f | %.0f |%n", s[0], s[1], s[2]));
		}
		return t.toString();
	}
}
