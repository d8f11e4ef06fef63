package org.spgateway.benchmark;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.spgateway.testsupport.Caseload;
import org.spgateway.testsupport.NdjsonServer;
import org.spgateway.validation.GatewayValidator;
import org.spgateway.validation.ResourceValidator;

/**
 * The store at scale (issue 14, "At scale"): builds a store of referrals, each with its Patient, Condition, Task,
 * Provenance and a Wellbeing Star response with its eight Observations, through {@code $import} as the demo provider,
 * in steps ({@code --scale=25000,250000}: each size is reached by importing the referrals it adds), reporting each
 * import's rate against the validation ceiling of the same resources, and at each size reads, identifier searches and
 * the provider's work queue, closed loop, with their p99 as a ratio to the first size's.
 *
 * <pre>
 * mvn -B -q -pl gateway -Pbenchmark test-compile exec:java -Dbenchmark.args="--scale=25000,100000 --clients=8 --duration=20s"
 * </pre>
 *
 * <p>{@code --keep=true} leaves the store; {@code --resume=<its data directory>} starts a (perhaps newer) gateway on a kept store,
 * measures the sizes of {@code --scale} it already holds and imports up to the larger ones: a store of 250,000 referrals takes
 * hours to build and can then be measured again after a change.
 */
final class ScaleBenchmark {

	private static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	private static final ObjectMapper JSON = new ObjectMapper();
	private static final String STATE = "scale-benchmark.properties";

	private ScaleBenchmark() {}

	static void run(Map<String, String> options) throws Exception {
		List<Integer> sizes = new ArrayList<>();
		for (String s : options.get("scale").split(",")) {
			sizes.add(Integer.parseInt(s.trim().replace("_", "")));
		}
		int clients = Integer.parseInt(options.getOrDefault("clients", "8"));
		Duration duration = Duration.parse("PT" + options.getOrDefault("duration", "20s").toUpperCase(Locale.ROOT));
		Duration warmUp = Duration.parse("PT" + options.getOrDefault("warmup", "10s").toUpperCase(Locale.ROOT));
		Duration each = Duration.parse("PT" + options.getOrDefault("ceiling", "10s").toUpperCase(Locale.ROOT));
		String jvm = options.getOrDefault("server-jvm", "-Xms512m -Xmx1g");
		Path jar = Path.of(options.getOrDefault("jar", "gateway/target/gateway.jar"));
		if (!Files.exists(jar) && Files.exists(Path.of("target/gateway.jar"))) {
			jar = Path.of("target/gateway.jar");
		}
		Path work = Files.createTempDirectory("scale-benchmark");
		Path resume = options.containsKey("resume") ? Path.of(options.get("resume")) : null;
		Properties state = new Properties();
		if (resume != null) {
			try (var in = Files.newBufferedReader(resume.resolve(STATE))) {
				state.load(in);
			}
		}
		long nhsBase = resume != null ? Long.parseLong(state.getProperty("nhsBase"))
				: Math.floorMod(System.currentTimeMillis() * 7919L, 400_000_000L);
		String run = resume != null ? state.getProperty("run") : Long.toString(System.currentTimeMillis(), 36);

		GatewayProcess server = GatewayProcess.start(jar, jvm, resume);
		StringBuilder report = new StringBuilder("## Scale benchmark ").append(Instant.now()).append("\n\n").append(Machine.describe()).append("\n");
		report.append("Server: `java ").append(jvm).append(" -jar gateway.jar`, fresh embedded PostgreSQL (fsync on), load generator and file")
				.append(" server on the same machine. Authentication, organisation scoping and audit on (sandbox tokens).\n\n");
		try (NdjsonServer files = NdjsonServer.serve(work)) {
			BenchmarkTarget tester = new BenchmarkTarget(server.baseUrl(), clients * 2);
			BenchmarkTarget provider = new BenchmarkTarget(server.baseUrl(), clients * 2, "demo-provider", "demo-provider-secret");
			// A resumed run's template person is new too (the earlier run's would be matched, with its own response and observations).
			long template = 900_000_000L + (resume != null ? System.currentTimeMillis() / 1000 % 50_000_000 : 0);
			Caseload caseload = Caseload.capture((method, path, body, headers) -> send(tester, method, path, body, headers),
					Caseload.nhsNumber(nhsBase, template), "scale-template-" + Long.toString(System.currentTimeMillis(), 36));
			Ceiling ceiling = ceiling(caseload, work, each);
			report.append(ceiling.table);

			StringBuilder imports = new StringBuilder("### Import\n\n| Referrals added | Resources | Seconds | Resources/s"
					+ " | Ceiling/s at the start | Ceiling/s just after | Share of the two ceilings' mean |\n").append("|---:|---:|---:|---:|---:|---:|---:|\n");
			StringBuilder latency = new StringBuilder("### Reads, searches and the work queue by store size\n\n")
					.append("| Referrals | Scenario | Requests/s | p50 ms | p99 ms | p99 / first size |\n|---:|---|---:|---:|---:|---:|\n");
			Map<String, Double> firstP99 = new LinkedHashMap<>();
			int loaded = resume != null ? Integer.parseInt(state.getProperty("loaded")) : 0;
			for (int size : sizes) {
				if (size < loaded) {
					continue;
				}
				if (size > loaded) {
					Path dir = work.resolve("to-" + size);
					Map<String, Path> inputs = caseload.write(dir, "s" + run, loaded, size, n -> Caseload.nhsNumber(nhsBase, n));
					long started = System.nanoTime();
					String manifest = importAll(provider, files, inputs);
					double seconds = (System.nanoTime() - started) / 1e9;
					long resources = (long) (size - loaded) * caseload.resourcesPerReferral();
					JsonNode m = JSON.readTree(manifest);
					if (m.path("error").size() > 0) {
						throw new IllegalStateException("The import refused lines: " + manifest);
					}
					// Measured again straight after the import: on a shared machine the load moves, and a ceiling from another
					// moment says little about this import.
					double after = ceiling(caseload, work, each.dividedBy(2)).perSecond;
					imports.append(String.format(Locale.ROOT, "| %,d | %,d | %.0f | %.0f | %.0f | %.0f | %.0f%% |%n", size - loaded, resources, seconds,
							resources / seconds, ceiling.perSecond, after, 200 * resources / seconds / (ceiling.perSecond + after)));
					System.err.printf(Locale.ROOT, "imported %,d referrals (%,d resources) in %.0f s%n", size - loaded, resources, seconds);
					deleteTree(dir);
					loaded = size;
					state.setProperty("nhsBase", Long.toString(nhsBase));
					state.setProperty("run", run);
					state.setProperty("loaded", Integer.toString(loaded));
					try (var out = Files.newBufferedWriter(server.dataDir().resolve(STATE))) {
						state.store(out, "What ScaleBenchmark --resume needs: the referrals imported and how their ids and NHS numbers were made");
					}
				}
				int n = loaded;
				List<Scenario> scenarios = List.of(read(caseload, run, n), identifierSearch(nhsBase, n), workQueue());
				for (Scenario s : scenarios) {
					BenchmarkTarget target = s.name().equals("work-queue") ? provider : tester;
					GatewayBenchmark.run(target, s, clients, warmUp, null);
					GatewayBenchmark.Result r = GatewayBenchmark.run(target, s, clients, duration, null);
					firstP99.putIfAbsent(s.name(), r.p(99));
					latency.append(String.format(Locale.ROOT, "| %,d | %s | %.0f | %.1f | %.1f | %.2f |%n", n, s.name(), r.throughput(), r.p(50), r.p(99),
							r.p(99) / firstP99.get(s.name())));
					System.err.printf(Locale.ROOT, "%,d referrals: %s %.0f/s p99 %.1f ms (%d errors)%n", n, s.name(), r.throughput(), r.p(99), r.errors());
				}
				// What is measured so far, in case a later (larger) size does not fit in the time there is.
				partial(options, report + imports.toString() + "\n" + latency);
			}
			report.append(imports).append("\n").append(latency).append("\n");
			report.append("- `read`: GET /Task/{id} of a random imported referral's Task (as the tester)\n")
					.append("- `search-token`: GET /Patient?identifier=nhs-number|{a random imported person's NHS number} (as the tester)\n")
					.append("- `work-queue`: the demo provider's queue, GET /Task?owner:identifier=...|X99901&status=requested&_include=Task:focus")
					.append("&_include=Task:patient&_sort=-_lastUpdated (every imported Task is the provider's and requested)\n\n")
					.append(String.format(Locale.ROOT, "Clients: %d; each cell %d s after a %d s warm-up.%n", clients, duration.toSeconds(), warmUp.toSeconds()))
					.append("\n").append(String.format(Locale.ROOT, "Data directory (embedded PostgreSQL) at the end: %.1f GB.%n",
							size(server.dataDir()) / 1e9));
		} finally {
			server.stop();
			deleteTree(work);
			if (!options.containsKey("keep") && resume == null) {
				deleteTree(server.dataDir());
			}
		}
		System.out.println(report);
		String out = options.get("out");
		if (out != null) {
			Files.writeString(Path.of(out), report.toString());
		}
	}

	/** The mix's validation ceiling: each type's captured body validated alone on every core, weighted by how many a referral has. */
	private record Ceiling(double perSecond, String table) {}

	private static Ceiling ceiling(Caseload caseload, Path work, Duration each) throws Exception {
		Map<String, Path> one = caseload.write(work.resolve("ceiling"), "ceil", 0, 1, n -> Caseload.nhsNumber(0, n));
		ResourceValidator validator = GatewayValidator.build(FhirContext.forR4());
		int threads = Runtime.getRuntime().availableProcessors();
		StringBuilder table = new StringBuilder("### Validation ceiling of the caseload\n\nThe gateway's validator on ").append(threads)
				.append(" threads in the benchmark's process (the gateway idle), each body validated for ").append(each.toSeconds())
				.append(" s after a warm-up.\n\n| Type | Per referral | Validations/s |\n|---|---:|---:|\n");
		double secondsPerReferral = 0;
		for (Map.Entry<String, Path> e : one.entrySet()) {
			List<String> lines = Files.readAllLines(e.getValue());
			String body = lines.get(0);
			warm(validator, e.getKey(), body, threads, each.dividedBy(2));
		}
		for (Map.Entry<String, Path> e : one.entrySet()) {
			List<String> lines = Files.readAllLines(e.getValue());
			double rate = warm(validator, e.getKey(), lines.get(0), threads, each);
			secondsPerReferral += lines.size() / rate;
			table.append(String.format(Locale.ROOT, "| %s | %d | %.0f |%n", e.getKey(), lines.size(), rate));
		}
		double perSecond = caseload.resourcesPerReferral() / secondsPerReferral;
		table.append(String.format(Locale.ROOT, "| **the mix** | %d | **%.0f** |%n%n", caseload.resourcesPerReferral(), perSecond));
		return new Ceiling(perSecond, table.toString());
	}

	/** Validations a second of one body on every thread. */
	private static double warm(ResourceValidator validator, String type, String body, int threads, Duration duration) throws InterruptedException {
		if (validator.validate(body, EncodingEnum.JSON, type, null).hasErrors()) {
			throw new IllegalStateException("The captured " + type + " is not valid");
		}
		AtomicBoolean stop = new AtomicBoolean();
		AtomicLong count = new AtomicLong();
		List<Thread> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			Thread worker = new Thread(() -> {
				while (!stop.get()) {
					validator.validate(body, EncodingEnum.JSON, type, null);
					count.incrementAndGet();
				}
			});
			worker.start();
			workers.add(worker);
		}
		Thread.sleep(duration.toMillis());
		stop.set(true);
		for (Thread w : workers) {
			w.join();
		}
		return count.get() / (duration.toNanos() / 1e9);
	}

	/** Starts an import as the provider and waits for its manifest. */
	private static String importAll(BenchmarkTarget provider, NdjsonServer files, Map<String, Path> inputs) throws Exception {
		StringBuilder parameters = new StringBuilder("{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"inputFormat\",\"valueCode\":")
				.append("\"application/fhir+ndjson\"}");
		inputs.forEach((type, file) -> parameters.append(",{\"name\":\"input\",\"part\":[{\"name\":\"type\",\"valueCode\":\"").append(type)
				.append("\"},{\"name\":\"url\",\"valueUri\":\"").append(files.url(file)).append("\"}]}"));
		parameters.append("]}");
		HttpResponse<String> kickOff = provider.send(provider.request("/$import").header("Content-Type", "application/fhir+json")
				.header("Prefer", "respond-async").POST(HttpRequest.BodyPublishers.ofString(parameters.toString())).build());
		if (kickOff.statusCode() != 202) {
			throw new IllegalStateException("$import answered " + kickOff.statusCode() + ": " + kickOff.body());
		}
		String status = kickOff.headers().firstValue("Content-Location").orElseThrow();
		String path = status.substring(status.indexOf("/$import-poll-status"));
		String last = "";
		while (true) {
			HttpResponse<String> answer = provider.send(provider.request(path).GET().build());
			if (answer.statusCode() == 200) {
				return answer.body();
			}
			if (answer.statusCode() != 202) {
				throw new IllegalStateException("The import ended with " + answer.statusCode() + ": " + answer.body());
			}
			String progress = answer.headers().firstValue("X-Progress").orElse("");
			if (!progress.equals(last)) {
				System.err.println("import: " + progress);
				last = progress;
			}
			Thread.sleep(5000);
		}
	}

	private static Scenario read(Caseload caseload, String run, int referrals) {
		return new Simple("read", (target, sequence) -> target.request("/Task/" + caseload.idOf("s" + run,
				ThreadLocalRandom.current().nextInt(referrals), "Task")).GET().build());
	}

	private static Scenario identifierSearch(long nhsBase, int referrals) {
		return new Simple("search-token", (target, sequence) -> target.request("/Patient?identifier="
				+ URLEncoder.encode("https://fhir.nhs.uk/Id/nhs-number|" + Caseload.nhsNumber(nhsBase, ThreadLocalRandom.current().nextInt(referrals)),
						StandardCharsets.UTF_8)).GET().build());
	}

	private static Scenario workQueue() {
		return new Simple("work-queue", (target, sequence) -> target.request("/Task?owner:identifier=" + URLEncoder.encode(ODS + "|X99901",
				StandardCharsets.UTF_8) + "&status=requested&_include=Task:focus&_include=Task:patient&_sort=-_lastUpdated").GET().build());
	}

	/** A read-only scenario from a request builder. */
	private record Simple(String name, BiFunction<BenchmarkTarget, Long, HttpRequest> request) implements Scenario {

		public String description() {
			return name;
		}

		public HttpRequest next(BenchmarkTarget target, long sequence) {
			return request.apply(target, sequence);
		}

		public boolean succeeded(HttpResponse<String> response) {
			return response.statusCode() == 200 && !response.body().contains("\"total\":0");
		}
	}

	private static HttpResponse<String> send(BenchmarkTarget target, String method, String path, String body, String... headers) {
		HttpRequest.Builder request = target.request(path);
		for (int i = 0; i + 1 < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
		try {
			return target.send(request.build());
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	private static void partial(Map<String, String> options, String report) throws IOException {
		if (options.get("out") != null) {
			Files.writeString(Path.of(options.get("out")), report + "\n(partial: the run goes on to the next size)\n");
		}
	}

	private static long size(Path dir) {
		try (Stream<Path> paths = Files.walk(dir)) {
			return paths.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
		} catch (IOException e) {
			return -1;
		}
	}

	private static void deleteTree(Path dir) {
		try (Stream<Path> paths = Files.walk(dir)) {
			paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		} catch (IOException e) {
			// Temporary files only.
		}
	}
}
