package org.spgateway.benchmark;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** The foundation's benchmark: validated create of a referral, read by id, and a token search. */
final class FoundationScenarios {

	private FoundationScenarios() {}

	static final String IDENTIFIER_SYSTEM = "https://fhir.a99901.example.nhs.uk/Id/referral";

	/** A referral-sized ServiceRequest (about 1.4 kB) meeting the gateway's referral profile. */
	static String referral(String patientId, String identifier) {
		return """
				{"resourceType":"ServiceRequest",
				 "extension":[{"url":"https://spgateway.org/fhir/StructureDefinition/sp-referral-source",
				   "valueCoding":{"system":"https://spgateway.org/fhir/CodeSystem/sp-referral-source","code":"gp"}}],
				 "identifier":[{"system":"%s","value":"%s"}],
				 "status":"active","intent":"order",
				 "category":[{"coding":[{"system":"http://snomed.info/sct","code":"306206005","display":"Referral to service"}]}],
				 "priority":"routine",
				 "code":{"coding":[{"system":"http://snomed.info/sct","code":"871731000000106","display":"Referral to social prescribing service"}]},
				 "subject":{"reference":"Patient/%s"},
				 "authoredOn":"2026-11-20T10:15:00+00:00",
				 "requester":{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"A99901"},"display":"Riverside Surgery"},
				 "performer":[{"identifier":{"system":"https://fhir.nhs.uk/Id/dos-service-id","value":"9000001"}}],
				 "reasonCode":[{"coding":[{"system":"http://snomed.info/sct","code":"44054006","display":"Type 2 diabetes mellitus"}]}],
				 "note":[{"text":"Lives alone since a bereavement last year; keen to be more active and meet people."}]}
				""".formatted(IDENTIFIER_SYSTEM, identifier, patientId);
	}

	static String patient() {
		return """
				{"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],
				 "name":[{"family":"Benchmark","given":["Pat"]}],"birthDate":"1968-04-12"}
				""";
	}

	static List<Scenario> all(Shared shared, String serverJvm) {
		return List.of(new Create(shared), new Read(shared), new TokenSearch(shared), new ReadBaseline(shared, serverJvm));
	}

	/** Data created once and used by the read and search scenarios. */
	static final class Shared {
		String patientId;
		final List<String> ids = new ArrayList<>();
		final List<String> identifiers = new ArrayList<>();

		synchronized void ensure(BenchmarkTarget target) throws Exception {
			if (patientId != null) {
				return;
			}
			patientId = BenchmarkTarget.idFromLocation(target.send(target.post("/Patient", patient())));
			for (int i = 0; i < 1000; i++) {
				String identifier = "seed-" + i + "-" + System.nanoTime();
				HttpResponse<String> r = target.send(target.post("/ServiceRequest", referral(patientId, identifier)));
				if (r.statusCode() != 201) {
					throw new IllegalStateException("Seeding failed: " + r.statusCode() + " " + r.body());
				}
				ids.add(BenchmarkTarget.idFromLocation(r));
				identifiers.add(identifier);
			}
		}
	}

	static final class Create implements Scenario {
		private final Shared shared;
		private final String run = Long.toString(System.currentTimeMillis(), 36);

		Create(Shared shared) {
			this.shared = shared;
		}

		public String name() {
			return "create-referral";
		}

		public String description() {
			return "POST /ServiceRequest: a 1.4 kB referral, validated against the base spec and the referral profile, indexed and stored";
		}

		public void setUp(BenchmarkTarget target) throws Exception {
			shared.ensure(target);
		}

		public HttpRequest next(BenchmarkTarget target, long sequence) {
			return target.post("/ServiceRequest", referral(shared.patientId, "bench-" + run + "-" + sequence));
		}

		public ValidationCeiling.Body validatedBody() {
			return new ValidationCeiling.Body("ServiceRequest", referral("1", "ceiling"));
		}
	}

	static final class Read implements Scenario {
		private final Shared shared;

		Read(Shared shared) {
			this.shared = shared;
		}

		public String name() {
			return "read";
		}

		public String description() {
			return "GET /ServiceRequest/{id}: one of 1,000 stored referrals at random";
		}

		public void setUp(BenchmarkTarget target) throws Exception {
			shared.ensure(target);
		}

		public HttpRequest next(BenchmarkTarget target, long sequence) {
			String id = shared.ids.get(ThreadLocalRandom.current().nextInt(shared.ids.size()));
			return target.request("/ServiceRequest/" + id).GET().build();
		}
	}

	static final class TokenSearch implements Scenario {
		private final Shared shared;

		TokenSearch(Shared shared) {
			this.shared = shared;
		}

		public String name() {
			return "search-token";
		}

		public String description() {
			return "GET /ServiceRequest?identifier=system|value: an indexed token search matching one referral";
		}

		public void setUp(BenchmarkTarget target) throws Exception {
			shared.ensure(target);
		}

		public HttpRequest next(BenchmarkTarget target, long sequence) {
			String identifier = shared.identifiers.get(ThreadLocalRandom.current().nextInt(shared.identifiers.size()));
			return target.request("/ServiceRequest?identifier=" + java.net.URLEncoder.encode(IDENTIFIER_SYSTEM + "|" + identifier,
					java.nio.charset.StandardCharsets.UTF_8)).GET().build();
		}

		public boolean succeeded(HttpResponse<String> response) {
			return response.statusCode() == 200 && response.body().contains("\"total\":1");
		}
	}

	/**
	 * The read scenario against HAPI's bare RestfulServer ({@link BareRestfulServer}) in a JVM of its own with the gateway's
	 * JVM options, answering every read with one of the gateway's stored referrals as the gateway returns it: the same
	 * bytes, the same requests (ids, headers, token), over real HTTP on the same machine. The gateway's read rate is
	 * reported as a share of this one.
	 */
	static final class ReadBaseline implements Scenario {
		private final Shared shared;
		private final String serverJvm;
		private Process process;
		private String baseUrl;

		ReadBaseline(Shared shared, String serverJvm) {
			this.shared = shared;
			// Its own options without the gateway's profiling: a recording of the baseline would overwrite the gateway's.
			this.serverJvm = serverJvm.replaceAll("-XX:StartFlightRecording\\S*", "").trim();
		}

		public String name() {
			return "read-baseline";
		}

		public String description() {
			return "GET /ServiceRequest/{id} from HAPI's bare RestfulServer (one provider returning a fixed copy of a stored referral,"
					+ " no store, no security) in its own JVM: the baseline for reads; its CPU is in the gateway column";
		}

		public void setUp(BenchmarkTarget target) throws Exception {
			shared.ensure(target);
			String resource = target.sendOk(target.request("/ServiceRequest/" + shared.ids.get(0)).GET().build());
			Path file = Files.createTempFile("read-baseline", ".json");
			Files.writeString(file, resource);
			int port = GatewayBenchmark.freePort();
			List<String> command = new ArrayList<>();
			command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
			if (!serverJvm.isEmpty()) {
				command.addAll(Arrays.asList(serverJvm.split("\\s+")));
			}
			command.addAll(List.of("-cp", classPath(), BareRestfulServer.class.getName(), Integer.toString(port), file.toString()));
			Path log = Files.createTempFile("read-baseline", ".log");
			process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
			Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
			baseUrl = "http://localhost:" + port + "/fhir";
			long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
			while (true) {
				try {
					if (target.send(get(target, shared.ids.get(0))).statusCode() == 200) {
						break;
					}
				} catch (IOException notYet) {
					// still starting
				}
				if (!process.isAlive() || System.nanoTime() > deadline) {
					throw new IllegalStateException("The bare RestfulServer did not start; see " + log);
				}
				Thread.sleep(250);
			}
			System.err.println("Bare RestfulServer started (pid " + process.pid() + ", log " + log + ")");
		}

		public HttpRequest next(BenchmarkTarget target, long sequence) {
			return get(target, shared.ids.get(ThreadLocalRandom.current().nextInt(shared.ids.size())));
		}

		/** The read scenario's request, sent to the baseline. */
		private HttpRequest get(BenchmarkTarget target, String id) {
			return HttpRequest.newBuilder(URI.create(baseUrl + "/ServiceRequest/" + id)).timeout(Duration.ofSeconds(60))
					.header("Accept", "application/fhir+json").header("Authorization", "Bearer " + target.token()).GET().build();
		}

		public long serverPid() {
			return process == null ? -1 : process.pid();
		}

		public void tearDown() {
			if (process != null) {
				process.destroy();
			}
		}

		/** The benchmark's own class path (exec:java runs it in a class loader of its own), for the baseline's JVM. */
		private static String classPath() {
			List<String> entries = new ArrayList<>();
			for (ClassLoader loader = Thread.currentThread().getContextClassLoader(); loader != null; loader = loader.getParent()) {
				if (loader instanceof URLClassLoader urls) {
					for (URL url : urls.getURLs()) {
						try {
							entries.add(Path.of(url.toURI()).toString());
						} catch (URISyntaxException | IllegalArgumentException notAFile) {
							// not a local file: cannot be on a command line
						}
					}
				}
			}
			entries.add(System.getProperty("java.class.path"));
			return String.join(File.pathSeparator, entries);
		}
	}
}
