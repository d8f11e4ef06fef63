package org.spgateway.benchmark;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.spgateway.audit.AuditWriterCost;

/**
 * The gateway's benchmark (docs/performance.md). Starts the built jar as its own process on a fresh
 * embedded database (or measures a running gateway given by --target), warms it up, then runs each
 * scenario closed-loop at each client count and prints throughput and latency percentiles as Markdown,
 * with the machine they came from. A soak run samples the server's memory for a steady-state check.
 * Every referral the scenarios create gives the demo provider a Task; {@code --subscriptions=N}
 * (default 1) Subscriptions deliver each to a local receiver, whose delivery rate and lag are reported.
 * Before the gateway starts, each write scenario's body is validated alone on every core
 * ({@link ValidationCeiling}, {@code --ceiling=20s}): the rate no request of that scenario can beat here.
 *
 * <pre>
 * mvn -B -q package -DskipTests
 * mvn -B -q -pl gateway -Pbenchmark test-compile exec:java -Dbenchmark.args="--duration=30s --clients=1,8,32"
 * </pre>
 */
public final class GatewayBenchmark {

	/**
	 * Numbers every request of the whole run (warm-up, cells, soak): scenarios derive NHS numbers and
	 * referral identifiers from it, and a number used twice would be answered from intake's
	 * idempotency records instead of measuring a new referral.
	 */
	private static final AtomicLong SEQUENCE = new AtomicLong();
	/** The server's JVM options unless --server-jvm says otherwise (the read baseline's too). */
	static final String SERVER_JVM = "-Xms512m -Xmx1g";

	private GatewayBenchmark() {}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = options(args);
		if (options.containsKey("scale")) {
			// The store at scale, built through $import (ScaleBenchmark): a run of its own.
			ScaleBenchmark.run(options);
			return;
		}
		if (options.containsKey("audit-writer")) {
			// The audit writer's CPU per event, alone on a database of its own (AuditWriterCost).
			AuditWriterCost.run(options);
			return;
		}
		List<Integer> clients = Arrays.stream(options.getOrDefault("clients", "1,8,32").split(",")).map(String::trim).map(Integer::parseInt).toList();
		Duration duration = Duration.parse("PT" + options.getOrDefault("duration", "30s").toUpperCase(Locale.ROOT));
		Duration warmUp = Duration.parse("PT" + options.getOrDefault("warmup", "60s").toUpperCase(Locale.ROOT));
		Duration soak = Duration.parse("PT" + options.getOrDefault("soak", "0s").toUpperCase(Locale.ROOT));
		String wanted = options.getOrDefault("scenarios", "create-referral,read,search-token");
		int subscriptions = Integer.parseInt(options.getOrDefault("subscriptions", "1"));
		double rate = Double.parseDouble(options.getOrDefault("rate", "0"));
		int maxClients = clients.stream().mapToInt(Integer::intValue).max().orElse(8);

		List<Scenario> scenarios = new ArrayList<>();
		for (Scenario s : Scenarios.all(options)) {
			if (Arrays.asList(wanted.split(",")).contains(s.name())) {
				scenarios.add(s);
			}
		}
		// Before the gateway starts, so that nothing else competes for the cores.
		String ceiling = ValidationCeiling.measure(scenarios, Duration.parse("PT" + options.getOrDefault("ceiling", "20s").toUpperCase(Locale.ROOT)));
		System.err.print(ceiling);
		String maps = MapThroughput.measure(Duration.parse("PT" + options.getOrDefault("maps", "0s").toUpperCase(Locale.ROOT)));
		ceiling = ceiling + maps;

		GatewayProcess server = null;
		String base = options.get("target");
		if (base == null) {
			Path jar = Path.of(options.getOrDefault("jar", "gateway/target/gateway.jar"));
			if (!Files.exists(jar) && Files.exists(Path.of("target/gateway.jar"))) {
				jar = Path.of("target/gateway.jar");
			}
			// --data-dir: a data directory an earlier run kept (e.g. the work queue's 25,000 Tasks), measured again without its set-up.
			server = GatewayProcess.start(jar, options.getOrDefault("server-jvm", SERVER_JVM),
					options.containsKey("data-dir") ? Path.of(options.get("data-dir")) : null);
			base = server.baseUrl();
		}
		try (NotificationReceiver receiver = new NotificationReceiver()) {
			BenchmarkTarget target = new BenchmarkTarget(base, maxClients * 2);
			receiver.subscribe(target, subscriptions);
			receiver.listFeedbackEndpoint(target);
			StringBuilder report = new StringBuilder();
			report.append("## Benchmark run ").append(Instant.now()).append("\n\n").append(Machine.describe()).append("\n");
			report.append("Server: `java ").append(server == null ? "(external: " + base + ")" : options.getOrDefault("server-jvm", SERVER_JVM) + " -jar gateway.jar`")
					.append(", fresh embedded PostgreSQL (fsync on), load generator on the same machine.\n")
					.append("Each cell: ").append(duration.toSeconds())
					.append(rate > 0 ? String.format(Locale.ROOT, " s paced at %.0f requests a second (latency from when each was due)", rate) : " s closed loop")
					.append(" after a ").append(warmUp.toSeconds()).append(" s warm-up.\n\n");
			report.append("| Scenario | Clients | Requests/s | p50 ms | p99 ms | Max ms | Errors |\n|---|---:|---:|---:|---:|---:|---:|\n");
			for (Scenario s : scenarios) {
				s.setUp(target);
			}
			long deadline = System.nanoTime() + warmUp.toNanos();
			while (System.nanoTime() < deadline && !scenarios.isEmpty()) {
				for (Scenario s : scenarios) {
					run(target, s, Math.min(8, maxClients), Duration.ofSeconds(Math.max(1, warmUp.toSeconds() / scenarios.size() / 2)), null);
				}
			}
			StringBuilder cpuTable = new StringBuilder();
			Map<String, Double> rates = new LinkedHashMap<>();
			for (Scenario s : scenarios) {
				// A baseline's own server takes the gateway's column: the CPU that served the cell's requests.
				ProcessCpu cpu = new ProcessCpu(s.serverPid() > 0 ? s.serverPid() : server == null ? -1 : server.pid(),
						server == null ? null : server.dataDir().toString());
				for (int n : clients) {
					ProcessCpu.Reading before = cpu.read();
					Result r = run(target, s, n, duration, null, rate);
					ProcessCpu.Reading used = cpu.read().minus(before);
					report.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.1f | %.1f | %.1f | %d |%n", s.name(), n, r.throughput(), r.p(50),
							r.p(99), r.max(), r.errors));
					if (used.available() && r.sortedNanos().length > 0) {
						double perRequest = 1000.0 / r.sortedNanos().length;
						cpuTable.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f |%n", s.name(), n, used.gateway() * perRequest,
								used.postgres() * perRequest, used.benchmark() * perRequest,
								(used.gateway() + used.postgres() + used.benchmark()) * perRequest));
					}
					rates.put(s.name() + "@" + n, r.throughput());
					System.err.println("done: " + s.name() + " x" + n + " -> " + String.format(Locale.ROOT, "%.0f/s p99 %.1f ms", r.throughput(), r.p(99)));
				}
			}
			if (!cpuTable.isEmpty()) {
				report.append("\nCPU per request, ms, by process over each whole cell (notifications still being delivered for earlier cells count")
						.append(" against the cell they are delivered in):\n\n")
						.append("| Scenario | Clients | Gateway JVM | PostgreSQL | Benchmark | Total |\n|---|---:|---:|---:|---:|---:|\n").append(cpuTable);
			}
			report.append(ratios(rates, clients));
			report.append("\n");
			for (Scenario s : scenarios) {
				report.append("- `").append(s.name()).append("`: ").append(s.description()).append("\n");
			}
			report.append("\n").append(ceiling);
			write(options, report);
			if (!soak.isZero() && !scenarios.isEmpty()) {
				Scenario s = scenarios.get(0);
				MemorySampler memory = new MemorySampler(target, server);
				Result r = run(target, s, Math.min(8, maxClients), soak, memory);
				report.append("\n### Soak: `").append(s.name()).append("` at ").append(Math.min(8, maxClients)).append(" clients for ")
						.append(soak.toMinutes()).append(" min\n\n")
						.append(String.format(Locale.ROOT, "%.0f requests/s, p50 %.1f ms, p99 %.1f ms, %d errors.%n%n", r.throughput(), r.p(50), r.p(99), r.errors))
						.append(memory.table());
			}
			if (subscriptions > 0) {
				receiver.awaitQuiet(10, Duration.parse("PT" + options.getOrDefault("drain", "3m").toUpperCase(Locale.ROOT)));
				report.append("\n### Notifications\n\n").append(receiver.report(subscriptions)).append(outboxBacklog(target));
				report.append("\n### Feedback to referrers\n\n").append(receiver.feedbackReport());
			}
			System.out.println(report);
			write(options, report);
		} finally {
			for (Scenario s : scenarios) {
				s.tearDown();
			}
			if (server != null) {
				server.stop();
			}
		}
	}

	/** Each rate the issue's targets compare, as a share of its baseline measured in the same run. */
	static String ratios(Map<String, Double> rates, List<Integer> clients) {
		String[][] pairs = {{"read", "read-baseline"}, {"search-token", "read-baseline"}, {"work-queue", "read"}};
		StringBuilder table = new StringBuilder();
		for (String[] pair : pairs) {
			for (int n : clients) {
				Double rate = rates.get(pair[0] + "@" + n);
				Double base = rates.get(pair[1] + "@" + n);
				if (rate != null && base != null && base > 0) {
					table.append(String.format(Locale.ROOT, "| %s | %s | %d | %.0f | %.0f | %.1f%% |%n", pair[0], pair[1], n, rate, base,
							100 * rate / base));
				}
			}
		}
		return table.isEmpty() ? "" : "\nAgainst the baselines, same run:\n\n| Scenario | Baseline | Clients | Requests/s | Baseline requests/s | Share |\n"
				+ "|---|---|---:|---:|---:|---:|\n" + table;
	}

	/** How many notifications were still waiting in the outbox when the drain wait ended (from the health endpoint). */
	private static String outboxBacklog(BenchmarkTarget target) {
		try {
			Matcher m = Pattern.compile("\"pending\"\\s*:\\s*(\\d+)").matcher(target.actuator("/actuator/health"));
			return m.find() ? "Still in the outbox when the benchmark stopped waiting: " + m.group(1) + ".\n" : "";
		} catch (Exception e) {
			return "";
		}
	}

	/** Writes the report so far to --out, if given: a long soak or drain that is cut short loses nothing measured before it. */
	private static void write(Map<String, String> options, StringBuilder report) throws IOException {
		String out = options.get("out");
		if (out != null) {
			Files.createDirectories(Path.of(out).toAbsolutePath().getParent());
			Files.writeString(Path.of(out), report.toString());
		}
	}

	/** Runs one scenario closed-loop: each client sends its next request as soon as the previous answers. */
	static Result run(BenchmarkTarget target, Scenario scenario, int clients, Duration duration, MemorySampler memory) throws InterruptedException {
		return run(target, scenario, clients, duration, memory, 0);
	}

	/**
	 * One cell: {@code clients} threads sending the scenario's requests for {@code duration}, closed loop (each sends its next when
	 * its last is answered), or paced when {@code rate} is above 0: the clients together send {@code rate} requests a second, each
	 * on its own schedule, and a request's latency counts from when it was due, so a slow answer that delays the next still counts
	 * against the requests it held up.
	 */
	static Result run(BenchmarkTarget target, Scenario scenario, int clients, Duration duration, MemorySampler memory, double rate)
			throws InterruptedException {
		AtomicBoolean stop = new AtomicBoolean();
		long interval = rate > 0 ? (long) (clients * 1e9 / rate) : 0;
		List<long[]> latencies = new ArrayList<>();
		long[] errors = new long[clients];
		int[] counts = new int[clients];
		List<Thread> threads = new ArrayList<>();
		for (int c = 0; c < clients; c++) {
			long[] mine = new long[1 << 16];
			latencies.add(mine);
			int client = c;
			Thread t = new Thread(() -> {
				long[] buffer = mine;
				long due = System.nanoTime() + interval * client / clients;
				while (!stop.get()) {
					HttpRequest request = scenario.next(target, SEQUENCE.incrementAndGet());
					long start = System.nanoTime();
					if (interval > 0) {
						if (due > start) {
							LockSupport.parkNanos(due - start);
						}
						start = due;
						due += interval;
					}
					boolean ok;
					try {
						HttpResponse<String> response = target.send(request);
						ok = scenario.succeeded(response);
						if (!ok && errors[client] < 3) {
							System.err.println(scenario.name() + ": " + response.statusCode() + " " + response.body().substring(0, Math.min(300, response.body().length())));
						}
					} catch (Exception e) {
						ok = false;
					}
					long elapsed = System.nanoTime() - start;
					if (!ok) {
						errors[client]++;
					}
					if (counts[client] == buffer.length) {
						buffer = Arrays.copyOf(buffer, buffer.length * 2);
						latencies.set(client, buffer);
					}
					buffer[counts[client]++] = elapsed;
				}
			}, "bench-client-" + c);
			threads.add(t);
		}
		long started = System.nanoTime();
		threads.forEach(Thread::start);
		long end = started + duration.toNanos();
		while (System.nanoTime() < end) {
			Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
			if (memory != null) {
				memory.sample();
			}
		}
		stop.set(true);
		for (Thread t : threads) {
			t.join();
		}
		double seconds = (System.nanoTime() - started) / 1e9;
		int total = 0;
		for (int c : counts) {
			total += c;
		}
		long[] all = new long[total];
		int at = 0;
		for (int c = 0; c < clients; c++) {
			System.arraycopy(latencies.get(c), 0, all, at, counts[c]);
			at += counts[c];
		}
		Arrays.sort(all);
		long errorCount = Arrays.stream(errors).sum();
		return new Result(all, seconds, errorCount);
	}

	record Result(long[] sortedNanos, double seconds, long errors) {
		double throughput() {
			return (sortedNanos.length - errors) / seconds;
		}

		double p(double percentile) {
			if (sortedNanos.length == 0) {
				return 0;
			}
			int index = (int) Math.ceil(percentile / 100.0 * sortedNanos.length) - 1;
			return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, index))] / 1e6;
		}

		double max() {
			return sortedNanos.length == 0 ? 0 : sortedNanos[sortedNanos.length - 1] / 1e6;
		}
	}

	private static Map<String, String> options(String[] args) {
		Map<String, String> options = new LinkedHashMap<>();
		List<String> all = new ArrayList<>(Arrays.asList(args));
		String fromProperty = System.getProperty("benchmark.args");
		if (fromProperty != null && !fromProperty.isBlank()) {
			all.addAll(Arrays.asList(fromProperty.trim().split("\\s+(?=--)")));
		}
		for (String arg : all) {
			Matcher m = Pattern.compile("^--([a-z\\-]+)=(.*)$").matcher(arg.trim());
			if (!m.matches()) {
				throw new IllegalArgumentException("Options look like --name=value; got " + arg);
			}
			options.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
		}
		return options;
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}
}
