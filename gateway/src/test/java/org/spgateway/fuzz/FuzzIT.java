package org.spgateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.parser.DataFormatException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.ReferralWork;

/**
 * Robustness as a property: damaged versions of every fixture in docs/examples and src/test/resources
 * (JSON and XML), and odd values in searches, paths and operations, sent to every kind of endpoint.
 * Whatever arrives, the gateway answers 2xx, or 4xx with an OperationOutcome; never 5xx; never a Java
 * class name or SQL in the body; within a time bound; and a refused write stores nothing (the count of
 * the types it would have written is unchanged).
 *
 * <p>{@code mvn verify} runs a fixed seed and a bounded count; a longer run, e.g.
 * {@code mvn -B -pl gateway verify -Dit.test=FuzzIT -Dfuzz.count=5000 -Dfuzz.seed=7}, reports every
 * failing case with its seed and index, and writes its body under {@code target/fuzz-failures/}.
 */
class FuzzIT {

	private static final long SEED = Long.getLong("fuzz.seed", 20261204L);
	private static final int COUNT = Integer.getInteger("fuzz.count", 400);
	private static final Duration TIME_BOUND = Duration.ofSeconds(Long.getLong("fuzz.time-bound-seconds", 10));

	private static final Pattern INTERNALS = Pattern.compile(
			"\\bjava\\.[a-z]|ca\\.uhn\\.|org\\.hl7\\.fhir\\.|org\\.spgateway\\.|org\\.springframework|org\\.postgresql|com\\.fasterxml|com\\.github\\."
					+ "|[A-Za-z]Exception\\b|\\bat [a-z]+\\.[a-z]+\\.|\\bSELECT\\s.+\\sFROM\\b|\\bINSERT INTO\\b|\\bSQLState\\b|\\bviolates \\w+ constraint\\b");
	private static final Pattern TOTAL = Pattern.compile("\"total\"\\s*:\\s*(\\d+)");
	private static final List<String> SEARCH_TYPES = List.of("Patient", "ServiceRequest", "Task", "Observation", "QuestionnaireResponse",
			"Communication", "Provenance", "HealthcareService", "Subscription", "Condition");
	private static final List<String> SEARCH_PARAMETERS = List.of("identifier", "name", "birthdate", "_lastUpdated", "status", "_count", "_sort",
			"_include", "_revinclude", "_summary", "_elements", "_format", "_total", "_offset", "owner:identifier", "subject", "patient",
			"value-quantity", "_id", "_tag", "code", "authored", "identifier:of-type", "name:exact", "_profile", "subject:Patient.name");

	private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private static GatewayServer gateway;
	private static ReferralWork.Referral referral;
	private static List<Path> seeds;

	/** One damaged request: where it went, what was done to it, the types a write would store. */
	private record Case(int index, String method, String path, String contentType, Mutator.Mutation mutation, Set<String> writes) {
		String label() {
			return "case " + index + " (seed " + SEED + "): " + method + " " + path + " [" + contentType + "] " + mutation.description();
		}
	}

	@AfterAll
	static void stop() {
		gateway.stop();
	}

	@BeforeAll
	static void start() throws IOException {
		// A gateway of its own: a damaged copy of a fixed-id example (a BaRS Bundle id, an identifier) that is still
		// accepted would otherwise make the real example a conflict for the tests that send it later.
		gateway = GatewayServer.start("gateway.sandbox=true");
		referral = ReferralWork.refer(gateway, ReferralWork.sandboxService());
		Path root = Files.isDirectory(Path.of("docs")) ? Path.of(".") : Path.of("..");
		List<Path> found = new ArrayList<>();
		for (Path dir : List.of(root.resolve("docs/examples"), root.resolve("gateway/src/test/resources"))) {
			try (Stream<Path> files = Files.walk(dir)) {
				files.filter(f -> f.toString().endsWith(".json") || f.toString().endsWith(".xml"))
						.filter(f -> !f.getFileName().toString().startsWith("logback")).sorted().forEach(found::add);
			}
		}
		seeds = found;
	}

	@Test
	void damagedInputIsAFastRefusalInPlainFhirAndStoresNothing() throws IOException {
		Random random = new Random(SEED);
		Mutator mutator = new Mutator(random);
		List<String> failures = new ArrayList<>();
		for (int i = 0; i < COUNT; i++) {
			Case c = next(i, mutator);
			String failure = check(c);
			if (failure != null) {
				failures.add(failure);
				keep(c);
			}
		}
		assertTrue(failures.isEmpty(), failures.size() + " of " + COUNT + " damaged requests were mishandled:\n" + String.join("\n", failures));
	}

	private Case next(int index, Mutator mutator) throws IOException {
		if (mutator.nextInt(5) == 0) {
			return valueCase(index, mutator);
		}
		Path seedFile = mutator.pick(seeds);
		String seed = placeholders(Files.readString(seedFile));
		String name = seedFile.getFileName().toString();
		boolean xml = name.endsWith(".xml");
		if (!xml && mutator.nextInt(5) == 0) {
			String asXml = toXml(seed);
			if (asXml != null) {
				seed = asXml;
				xml = true;
			}
		}
		Mutator.Mutation mutation = xml ? mutator.xml(seed) : mutator.json(seed);
		mutation = new Mutator.Mutation(name + ": " + mutation.description(), mutation.body());
		String contentType = xml ? "application/fhir+xml" : "application/fhir+json";
		String type = resourceType(seed);
		if (seed.strip().startsWith("[")) {
			String target = mutator.nextBoolean() ? "Task/" + referral.taskId() : "Patient/" + referral.patientId();
			return new Case(index, "PATCH", "/fhir/" + target, "application/json-patch+json", mutation, Set.of(target.substring(0, target.indexOf('/'))));
		}
		if (type == null) {
			return new Case(index, "POST", "/fhir/Basic", contentType, mutation, Set.of("Basic"));
		}
		if (type.equals("Bundle")) {
			if (seed.contains("\"message\"") || seed.contains("value=\"message\"")) {
				return new Case(index, "POST", "/fhir/$process-message", contentType, mutation, Set.of("ServiceRequest", "Task", "Patient"));
			}
			return new Case(index, "POST", "/fhir", contentType, mutation, Set.of("ServiceRequest", "Task", "Patient", "Observation"));
		}
		if (type.equals("Parameters")) {
			return new Case(index, "PATCH", "/fhir/Patient/" + referral.patientId(), contentType, mutation, Set.of("Patient"));
		}
		return switch (mutator.nextInt(4)) {
			case 0 -> new Case(index, "PUT", "/fhir/" + type + "/" + existingId(type), contentType, mutation, Set.of(type));
			case 1 -> new Case(index, "POST", "/fhir/" + type + "/$validate", contentType, mutation, Set.of(type));
			default -> new Case(index, "POST", "/fhir/" + type, contentType, mutation, Set.of(type));
		};
	}

	/** Odd values where the gateway reads them from the URL: search parameters, ids, operation parameters. */
	private Case valueCase(int index, Mutator mutator) {
		String value = URLEncoder.encode(mutator.value(), StandardCharsets.UTF_8);
		String path = switch (mutator.nextInt(6)) {
			case 0 -> "/fhir/" + mutator.pick(SEARCH_TYPES) + "/" + value;
			case 1 -> "/fhir/Task/$overdue?owner=" + value + "&_count=" + URLEncoder.encode(mutator.value(), StandardCharsets.UTF_8);
			case 2 -> "/fhir/ServiceRequest/" + (mutator.nextBoolean() ? referral.referralId() : value) + "/$outcomes";
			case 3 -> "/fhir/ServiceRequest/$reviews-due?_count=" + value;
			case 4 -> "/fhir/" + mutator.pick(SEARCH_TYPES) + "/" + referral.patientId() + "/_history/" + value;
			default -> "/fhir/" + mutator.pick(SEARCH_TYPES) + "?" + mutator.pick(SEARCH_PARAMETERS) + "=" + value;
		};
		Mutator.Mutation none = new Mutator.Mutation("value " + Mutator.printable(value), new byte[0]);
		return new Case(index, "GET", path, null, none, Set.of());
	}

	/** Null when the case was handled well; otherwise what went wrong, for the report. */
	private String check(Case c) {
		List<Long> before = counts(c.writes());
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl().replace("/fhir", "") + c.path()))
				.timeout(TIME_BOUND).header("Accept", "application/fhir+json");
		if (c.contentType() == null) {
			request.GET();
		} else {
			request.header("Content-Type", c.contentType()).method(c.method(), HttpRequest.BodyPublishers.ofByteArray(c.mutation().body()));
		}
		HttpResponse<String> answer;
		long started = System.nanoTime();
		try {
			answer = CLIENT.send(Http.withDefaultAuthorization(request.build()), HttpResponse.BodyHandlers.ofString());
		} catch (HttpTimeoutException e) {
			return c.label() + ": no answer within " + TIME_BOUND.toSeconds() + " s";
		} catch (IOException e) {
			return c.label() + ": connection failed (" + e.getClass().getSimpleName() + ")";
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
		long millis = (System.nanoTime() - started) / 1_000_000;
		int status = answer.statusCode();
		String body = answer.body();
		String shown = " answered " + status + " in " + millis + " ms: " + abridged(body);
		if (status >= 500) {
			return c.label() + shown;
		}
		if (INTERNALS.matcher(body).find()) {
			return c.label() + ": internals in the body;" + shown;
		}
		if (status >= 400) {
			if (!body.contains("\"resourceType\":\"OperationOutcome\"") && !body.contains("\"resourceType\": \"OperationOutcome\"")) {
				return c.label() + ": a refusal that is not an OperationOutcome;" + shown;
			}
			List<Long> after = counts(c.writes());
			if (!before.equals(after)) {
				return c.label() + ": refused but stored (counts of " + c.writes() + " " + before + " -> " + after + ");" + shown;
			}
		}
		return null;
	}

	/** How many resources of each type the gateway holds, in the order given (null when a type cannot be counted). */
	private List<Long> counts(Set<String> types) {
		List<Long> counts = new ArrayList<>();
		for (String type : new LinkedHashSet<>(types)) {
			HttpResponse<String> r = Http.get(gateway.baseUrl() + "/" + type + "?_summary=count");
			Matcher m = TOTAL.matcher(r.body());
			counts.add(r.statusCode() == 200 && m.find() ? Long.valueOf(m.group(1)) : null);
		}
		return counts;
	}

	private static String existingId(String type) {
		return switch (type) {
			case "Patient" -> referral.patientId();
			case "ServiceRequest" -> referral.referralId();
			case "Task" -> referral.taskId();
			default -> UUID.nameUUIDFromBytes(type.getBytes(StandardCharsets.UTF_8)).toString();
		};
	}

	/** The fixtures' own placeholders filled with a real referral's ids, so the undamaged parts make sense. */
	private static String placeholders(String seed) {
		return seed.replace("${PATIENT}", referral.patientId()).replace("${REFERRAL}", referral.referralId()).replace("${TASK}", referral.taskId());
	}

	private static String resourceType(String seed) {
		Matcher json = Pattern.compile("\"resourceType\"\\s*:\\s*\"(\\w+)\"").matcher(seed);
		if (json.find()) {
			return json.group(1);
		}
		Matcher xml = Pattern.compile("<(\\w+) xmlns=\"http://hl7.org/fhir\"").matcher(seed);
		return xml.find() ? xml.group(1) : null;
	}

	private static String toXml(String json) {
		try {
			IBaseResource resource = GatewayServer.fhirContext().newJsonParser().parseResource(json);
			return GatewayServer.fhirContext().newXmlParser().encodeResourceToString(resource);
		} catch (DataFormatException | IllegalArgumentException e) {
			return null;
		}
	}

	/** The failing body, for reproducing the case by hand. */
	private static void keep(Case c) throws IOException {
		Path dir = Path.of("target", "fuzz-failures");
		Files.createDirectories(dir);
		Files.write(dir.resolve("seed-" + SEED + "-case-" + c.index() + ".body"), c.mutation().body());
		Files.writeString(dir.resolve("seed-" + SEED + "-case-" + c.index() + ".txt"), c.label() + "\n");
	}

	private static String abridged(String body) {
		return body.length() > 400 ? body.substring(0, 400) + "..." : body;
	}
}
