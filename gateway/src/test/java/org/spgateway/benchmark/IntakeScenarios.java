package org.spgateway.benchmark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Referral intake through each way in, on the sandbox directory: every request is a new referral for
 * a new person (unique NHS number and referral identifier), validated, routed to service 9000001,
 * checked for eligibility and stored with its Task and Provenance (and an outbox row when a
 * Subscription matches). The bodies are docs/examples/benchmark/*.template.json.
 */
final class IntakeScenarios {

	private IntakeScenarios() {}

	static List<Scenario> all(int workQueueTasks) {
		return List.of(new Transaction(), new Bars(), new WorkQueue(workQueueTasks), new PartnerJson());
	}

	private static final String RUN = Long.toString(System.currentTimeMillis(), 36);
	/** Each run starts its NHS numbers somewhere else, so runs on one database do not share people. */
	private static final long NHS_BASE = Math.floorMod(System.currentTimeMillis() * 7919L, 400_000_000L);

	/** A valid NHS number unique to this run's sequence number (two candidates per sequence; at most one has check digit 10). */
	static String nhsNumber(long sequence) {
		for (long candidate = 2 * sequence; ; candidate++) {
			String nine = String.format("%09d", 100_000_000L + Math.floorMod(NHS_BASE + candidate, 800_000_000L));
			int sum = 0;
			for (int i = 0; i < 9; i++) {
				sum += (nine.charAt(i) - '0') * (10 - i);
			}
			int check = 11 - (sum % 11);
			if (check == 11) {
				check = 0;
			}
			if (check != 10) {
				return nine + check;
			}
		}
	}

	static String template(String name) {
		Path file = Path.of("docs/examples/benchmark/" + name);
		if (!Files.exists(file)) {
			file = Path.of("../docs/examples/benchmark/" + name);
		}
		try (InputStream in = Files.newInputStream(file)) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		} catch (IOException e) {
			throw new UncheckedIOException("Run the benchmark from the repository root (or gateway/): " + e.getMessage(), e);
		}
	}

	static final class Transaction implements Scenario {
		private final String template = template("transaction-referral.template.json");

		public String name() {
			return "referral-transaction";
		}

		public String description() {
			return "POST / (transaction): new Patient (conditional on NHS number), Condition, ServiceRequest; each entry validated against its profile, routed, eligibility"
					+ " checked, stored with Task and Provenance";
		}

		public HttpRequest next(BenchmarkTarget target, long sequence) {
			return target.request("").header("Content-Type", "application/fhir+json").POST(HttpRequest.BodyPublishers.ofString(body(sequence))).build();
		}

		private String body(long sequence) {
			return template.replace("${NHS}", nhsNumber(sequence)).replace("${REF}", "bench-tx-" + RUN + "-" + sequence);
		}

		public ValidationCeiling.Body validatedBody() {
			return new ValidationCeiling.Body("Bundle", body(0));
		}

		public boolean succeeded(HttpResponse<String> response) {
			return response.statusCode() == 200 && response.body().contains("\"201 Created\"");
		}
	}

	/** A social care case system's flat JSON referral (mappings/riverside-social-care), through its map and then the same intake. */
	static final class PartnerJson implements Scenario {
		private final String template = template("partner-referral.template.json");

		public String name() {
			return "referral-partner-json";
		}

		public String description() {
			return "POST /$partner-referral?partner=riverside-social-care: a flat JSON referral (to service 9000002) read into its logical model, mapped to a transaction"
					+ " (new Patient conditional on NHS number, ServiceRequest), then as referral-transaction: validated, routed, eligibility checked,"
					+ " stored with Task and Provenance";
		}

		public HttpRequest next(BenchmarkTarget target, long sequence) {
			String body = template.replace("${NHS}", nhsNumber(sequence)).replace("${REF}", "bench-asc-" + RUN + "-" + sequence);
			return target.request("/$partner-referral?partner=riverside-social-care").header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofString(body)).build();
		}

		public boolean succeeded(HttpResponse<String> response) {
			return response.statusCode() == 200 && response.body().contains("\"201 Created\"");
		}
	}

	static final class Bars implements Scenario {
		private final String template = template("bars-referral.template.json");

		public String name() {
			return "referral-bars";
		}

		public String description() {
			return "POST /$process-message: a BaRS GP referral message (11 entries: Patient, Organization, PractitionerRole, Practitioner,"
					+ " Encounter, Condition, Flag, Consent, QuestionnaireResponse ...); directory resources matched, the rest stored";
		}

		public HttpRequest next(BenchmarkTarget target, long sequence) {
			return target.request("/$process-message").header("Content-Type", "application/fhir+json")
					.header("X-Request-Id", UUID.randomUUID().toString()).header("X-Correlation-Id", UUID.randomUUID().toString())
					.POST(HttpRequest.BodyPublishers.ofString(body(sequence))).build();
		}

		public ValidationCeiling.Body validatedBody() {
			return new ValidationCeiling.Body("Bundle", body(0));
		}

		private String body(long sequence) {
			String body = template.replace("${BUNDLE_ID}", UUID.randomUUID().toString()).replace("${REASON}", "new").replace("${STATUS}", "active")
					.replace("${REF}", "bench-bars-" + RUN + "-" + sequence).replace("${NHS}", nhsNumber(sequence + 1_000_000_000L))
					.replace("${BIRTH}", "1961-03-09").replace("${SDS}", "555000000001").replace("${NOTE}", "Benchmark referral")
					.replace("${CONSENT_STATUS}", "active").replace("${CONSENT_TYPE}", "permit");
			for (String u : List.of("HEADER", "SR", "PATIENT", "ORG", "ROLE", "PRACTITIONER", "ENCOUNTER", "CONDITION", "FLAG", "CONSENT", "QR")) {
				body = body.replace("${UUID_" + u + "}", UUID.randomUUID().toString());
			}
			return body;
		}

		public boolean succeeded(HttpResponse<String> response) {
			return response.statusCode() == 200 && response.body().contains("\"code\":\"ok\"");
		}
	}

	/**
	 * The provider's work queue, exactly as a provider polls it. With {@code --work-queue-tasks=N} (default 25,000) the set-up
	 * first brings the queue to N requested Tasks: referrals sent 25 to a transaction by 8 clients, for 250 people (so a page
	 * includes many different people), then waits for their notifications to leave the outbox, so that the cells measure the
	 * queue and not the deliveries. Referrals the run's other scenarios made count towards N. 0 takes the queue as it is.
	 * The queue is asked for as the demo provider (demo-provider, ODS X99901), so its access predicate is in every query.
	 */
	static final class WorkQueue implements Scenario {
		private static final String QUEUE = "/Task?owner:identifier="
				+ URLEncoder.encode("https://fhir.nhs.uk/Id/ods-organization-code|X99901", StandardCharsets.UTF_8) + "&status=requested";
		private static final Pattern TOTAL = Pattern.compile("\"total\"\\s*:\\s*(\\d+)");
		private static final int PER_BUNDLE = 25;
		private static final int PEOPLE = 250;
		private final int wanted;
		private int queued = -1;
		private BenchmarkTarget provider;

		WorkQueue(int wanted) {
			this.wanted = wanted;
		}

		public String name() {
			return "work-queue";
		}

		public String description() {
			return "GET /Task?owner:identifier=...|X99901&status=requested&_include=Task:focus&_include=Task:patient&_sort=-_lastUpdated:"
					+ " a page of 20 Tasks with their referrals and people, as the provider (its access predicate applied)"
					+ (queued < 0 ? "" : ", over " + queued + " requested Tasks");
		}

		public void setUp(BenchmarkTarget target) throws Exception {
			provider = new BenchmarkTarget(target.baseUrl, 1, "demo-provider", "demo-provider-secret");
			if (wanted <= 0) {
				return;
			}
			int missing = wanted - count(target);
			if (missing > 0) {
				long started = System.nanoTime();
				List<String> people = people(target);
				int bundles = (missing + PER_BUNDLE - 1) / PER_BUNDLE;
				AtomicInteger next = new AtomicInteger();
				ExecutorService clients = Executors.newFixedThreadPool(8);
				List<Future<?>> sent = new ArrayList<>();
				for (int c = 0; c < 8; c++) {
					sent.add(clients.submit(() -> {
						for (int b = next.getAndIncrement(); b < bundles; b = next.getAndIncrement()) {
							target.sendOk(target.post("", referrals(b, people)));
						}
						return null;
					}));
				}
				try {
					for (Future<?> f : sent) {
						f.get();
					}
				} finally {
					// A refused transaction ends the set-up; its clients must not keep the benchmark's JVM alive after it.
					clients.shutdownNow();
				}
				System.err.printf(Locale.ROOT, "work-queue: %d referrals seeded in %.0f s%n", bundles * PER_BUNDLE,
						(System.nanoTime() - started) / 1e9);
			}
			awaitOutbox(target);
			queued = count(target);
		}

		/** {@code PEOPLE} new people, created in transactions of {@code PER_BUNDLE}. */
		private static List<String> people(BenchmarkTarget target) throws Exception {
			List<String> ids = new ArrayList<>();
			for (int b = 0; b < PEOPLE / PER_BUNDLE; b++) {
				StringBuilder bundle = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[");
				for (int i = 0; i < PER_BUNDLE; i++) {
					String person = FoundationScenarios.patient().replace("9434765919", nhsNumber(3_000_000_000L + b * PER_BUNDLE + i));
					bundle.append(i == 0 ? "" : ",").append("{\"resource\":").append(person)
							.append(",\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}");
				}
				Matcher m = Pattern.compile("\"location\"\\s*:\\s*\"Patient/([^/\"]+)").matcher(target.sendOk(target.post("", bundle + "]}")));
				while (m.find()) {
					ids.add(m.group(1));
				}
			}
			return ids;
		}

		/** Transaction number {@code b}: {@code PER_BUNDLE} new referrals, each for one of the people. */
		private static String referrals(int b, List<String> people) {
			StringBuilder bundle = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[");
			for (int i = 0; i < PER_BUNDLE; i++) {
				int n = b * PER_BUNDLE + i;
				String referral = FoundationScenarios.referral(people.get(n % people.size()), "queue-" + RUN + "-" + n);
				bundle.append(i == 0 ? "" : ",").append("{\"resource\":").append(referral)
						.append(",\"request\":{\"method\":\"POST\",\"url\":\"ServiceRequest\"}}");
			}
			return bundle.append("]}").toString();
		}

		private static int count(BenchmarkTarget target) throws Exception {
			Matcher m = TOTAL.matcher(target.sendOk(target.request(QUEUE + "&_summary=count").GET().build()));
			return m.find() ? Integer.parseInt(m.group(1)) : 0;
		}

		/** Waits (at most 5 minutes) until the outbox holds no notification waiting to be delivered. */
		private static void awaitOutbox(BenchmarkTarget target) throws Exception {
			Pattern pending = Pattern.compile("\"pending\"\\s*:\\s*(\\d+)");
			long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
			while (System.nanoTime() < deadline) {
				Matcher m = pending.matcher(target.actuator("/actuator/health"));
				if (!m.find() || Integer.parseInt(m.group(1)) == 0) {
					return;
				}
				Thread.sleep(1000);
			}
		}

		public HttpRequest next(BenchmarkTarget target, long sequence) {
			return provider.request(QUEUE + "&_include=Task:focus&_include=Task:patient&_sort=-_lastUpdated").GET().build();
		}

		public boolean succeeded(HttpResponse<String> response) {
			return response.statusCode() == 200;
		}
	}
}
