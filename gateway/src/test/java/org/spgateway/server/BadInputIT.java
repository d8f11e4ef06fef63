package org.spgateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.Supplier;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.spgateway.intake.TestNhsNumbers;
import org.spgateway.testsupport.Errors;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/**
 * Input an outside tester found the gateway mishandling: each is now a fast 4xx OperationOutcome that
 * names the offending element where there is one, stores nothing, and leaves no payload value in the log.
 */
class BadInputIT {

	private static final String MARKER_SYSTEM = "https://example.org/bad-input-it";
	/** A decimal BigDecimal would spend minutes expanding into a million digits. */
	private static final String HUGE = "1e999999";

	static GatewayServer gateway;
	static String base;
	static ListAppender<ILoggingEvent> log = new ListAppender<>();

	@BeforeAll
	static void start() {
		gateway = SharedGateway.get();
		base = gateway.baseUrl();
		log.start();
		((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(log);
	}

	@AfterAll
	static void stopCapturing() {
		((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(log);
	}

	private static String observation(String marker, String valueQuantity) {
		return "{\"resourceType\":\"Observation\",\"identifier\":[{\"system\":\"" + MARKER_SYSTEM + "\",\"value\":\"" + marker + "\"}],"
				+ "\"status\":\"final\",\"code\":{\"text\":\"x\"},\"valueQuantity\":{\"value\":" + valueQuantity + "}}";
	}

	private static String patient(String marker, String family) {
		return "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + MARKER_SYSTEM + "\",\"value\":\"" + marker + "\"}],"
				+ "\"name\":[{\"family\":\"" + family + "\"}]}";
	}

	private static boolean stored(String type, String marker) {
		return !Http.parse(Http.get(base + "/" + type + "?identifier=" + MARKER_SYSTEM + "|" + marker), Bundle.class).getEntry().isEmpty();
	}

	private static String expression(OperationOutcome outcome) {
		return outcome.getIssueFirstRep().getExpression().isEmpty() ? null : outcome.getIssueFirstRep().getExpression().get(0).getValue();
	}

	private static HttpResponse<String> timed(Supplier<HttpResponse<String>> request) {
		long started = System.nanoTime();
		HttpResponse<String> response = request.get();
		assertThat((System.nanoTime() - started) / 1_000_000).as("milliseconds to answer").isLessThan(3_000);
		return response;
	}

	private static String createdId(String type, String body) {
		HttpResponse<String> created = Http.post(base + "/" + type, body);
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return GatewayServer.fhirContext().newJsonParser().parseResource(created.body()).getIdElement().getIdPart();
	}

	@Test
	void aDecimalTooLongToWriteOutIsRefusedAtOnceNamingItsElement() {
		String marker = UUID.randomUUID().toString();
		OperationOutcome outcome = Errors.outcome(timed(() -> Http.post(base + "/Observation", observation(marker, HUGE))), 422);
		assertThat(expression(outcome)).isEqualTo("Observation.valueQuantity.value");
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("digits");
		assertThat(stored("Observation", marker)).isFalse();
	}

	@Test
	void aTinyDecimalAndADecimalSentAsAStringAreRefusedAlike() {
		String marker = UUID.randomUUID().toString();
		Errors.outcome(timed(() -> Http.post(base + "/Observation", observation(marker, "1e-999999"))), 422);
		Errors.outcome(timed(() -> Http.post(base + "/Observation", observation(marker, "\"" + HUGE + "\""))), 422);
		assertThat(stored("Observation", marker)).isFalse();
	}

	@Test
	void anOrdinaryDecimalWithAnExponentIsStillAccepted() {
		String marker = UUID.randomUUID().toString();
		assertThat(Http.post(base + "/Observation", observation(marker, "1.5e3")).statusCode()).isEqualTo(201);
		assertThat(stored("Observation", marker)).isTrue();
	}

	@Test
	void aHugeDecimalInXmlIsRefusedAtOnce() {
		String xml = "<Observation xmlns=\"http://hl7.org/fhir\"><status value=\"final\"/><code><text value=\"x\"/></code>"
				+ "<valueQuantity><value value=\"" + HUGE + "\"/></valueQuantity></Observation>";
		OperationOutcome outcome = Errors.outcome(timed(() -> Http.post(base + "/Observation", xml, "Content-Type", "application/fhir+xml")), 422);
		assertThat(expression(outcome)).isEqualTo("Observation.valueQuantity.value");
	}

	@Test
	void anIntegerOutOfRangeInXmlIsRefusedNot500() {
		// Found by FuzzIT (seed 99): the validator failed with NumberFormatException on it.
		String marker = UUID.randomUUID().toString();
		String xml = "<Observation xmlns=\"http://hl7.org/fhir\"><identifier><system value=\"" + MARKER_SYSTEM + "\"/><value value=\"" + marker
				+ "\"/></identifier>"
				+ "<status value=\"final\"/><code><text value=\"x\"/></code><valueInteger value=\"-2147483649\"/></Observation>";
		OperationOutcome outcome = Errors.outcome(Http.post(base + "/Observation", xml, "Content-Type", "application/fhir+xml"), 422);
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("outside the range");
		assertThat(stored("Observation", marker)).isFalse();
	}

	@Test
	void aHugeDecimalInATransactionOrValidateIsRefusedAtOnce() {
		String marker = UUID.randomUUID().toString();
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":" + patient(marker, "Ok")
				+ ",\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}},{\"resource\":" + observation(marker, HUGE)
				+ ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}";
		OperationOutcome outcome = Errors.outcome(timed(() -> Http.post(base, transaction)), 422);
		assertThat(expression(outcome)).isEqualTo("Bundle.entry[1].resource.valueQuantity.value");
		assertThat(stored("Patient", marker)).isFalse();

		String validate = "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"resource\",\"resource\":" + observation(marker, HUGE) + "}]}";
		outcome = Errors.outcome(timed(() -> Http.post(base + "/Observation/$validate", validate)), 422);
		assertThat(expression(outcome)).isEqualTo("Parameters.parameter[0].resource.valueQuantity.value");
	}

	@Test
	void aSearchByAHugeNumberIs400() {
		Errors.outcome(timed(() -> Http.get(base + "/Observation?value-quantity=" + HUGE)), 400);
	}

	@Test
	void aNulCharacterInAStringIs400NamingTheElementAndStoresNothing() {
		String marker = UUID.randomUUID().toString();
		OperationOutcome outcome = Errors.outcome(Http.post(base + "/Patient", patient(marker, "a\\u0000b")), 400);
		assertThat(expression(outcome)).isEqualTo("Patient.name[0].family");
		assertThat(stored("Patient", marker)).isFalse();
	}

	@Test
	void aNulCharacterInASearchValueOrIdIs400() {
		Errors.outcome(Http.get(base + "/Patient?family=a%00b"), 400);
		Errors.outcome(Http.get(base + "/Patient/a%00b"), 400);
	}

	@Test
	void aNulCharacterInCriteriaIs400WhereverTheCriteriaCome() {
		Errors.outcome(Http.post(base + "/Patient", "{\"resourceType\":\"Patient\"}", "If-None-Exist", "family=a%00b"), 400);
		Errors.outcome(Http.post(base + "/Patient/_search", "family=a%00b", "Content-Type", "application/x-www-form-urlencoded"), 400);
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":{\"resourceType\":\"Patient\"},"
				+ "\"request\":{\"method\":\"PUT\",\"url\":\"Patient?family=a%00b\"}}]}";
		Errors.outcome(Http.post(base, transaction), 400);
	}

	@Test
	void aHugeDecimalInABarsMessageOrAJsonPatchIsRefusedAtOnce() {
		String message = "{\"resourceType\":\"Bundle\",\"type\":\"message\",\"entry\":[{\"resource\":" + observation("m", HUGE) + "}]}";
		OperationOutcome outcome = Errors.outcome(timed(() -> Http.post(base + "/$process-message", message)), 422);
		assertThat(expression(outcome)).isEqualTo("Bundle.entry[0].resource.valueQuantity.value");
		String id = createdId("Patient", patient(UUID.randomUUID().toString(), "Patched"));
		Errors.outcome(timed(() -> Http.patch(base + "/Patient/" + id, "[{\"op\":\"add\",\"path\":\"/multipleBirthInteger\",\"value\":" + HUGE
				+ "}]", "application/json-patch+json")), 422);
	}

	@Test
	void anUnpairedSurrogateIs400WhileAPairedOneIsStoredAsSent() {
		String marker = UUID.randomUUID().toString();
		OperationOutcome outcome = Errors.outcome(Http.post(base + "/Patient", patient(marker, "a\\ud800b")), 400);
		assertThat(expression(outcome)).isEqualTo("Patient.name[0].family");
		assertThat(stored("Patient", marker)).isFalse();

		String id = createdId("Patient", patient(marker, "a\\ud83d\\ude00b"));
		Patient read = Http.parse(Http.get(base + "/Patient/" + id), Patient.class);
		assertThat(read.getNameFirstRep().getFamily()).isEqualTo("a\uD83D\uDE00b");
	}

	@Test
	void invalidUtf8Is400AndNotStoredAsReplacementCharacters() {
		String marker = UUID.randomUUID().toString();
		byte[] prefix = patient(marker, "a").getBytes(StandardCharsets.UTF_8);
		// "a" followed by the bytes FF FE, which no UTF-8 text contains, inside the family name.
		int at = new String(prefix, StandardCharsets.UTF_8).indexOf("\"a\"") + 2;
		byte[] body = new byte[prefix.length + 2];
		System.arraycopy(prefix, 0, body, 0, at);
		body[at] = (byte) 0xFF;
		body[at + 1] = (byte) 0xFE;
		System.arraycopy(prefix, at, body, at + 2, prefix.length - at);
		HttpResponse<String> response = Http.send(HttpRequest.newBuilder(Http.uri(base + "/Patient"))
				.header("Content-Type", "application/fhir+json").POST(HttpRequest.BodyPublishers.ofByteArray(body)));
		Errors.outcome(response, 400);
		assertThat(stored("Patient", marker)).isFalse();
	}

	@Test
	void aConditionalUpdateWithoutCriteriaIs400() {
		Errors.outcome(Http.put(base + "/Patient?", "{\"resourceType\":\"Patient\"}"), 400);
	}

	@Test
	void aPathClimbingOutOfTheApiIsAnOperationOutcome() {
		String answer = Http.raw(gateway.port(), "GET /fhir/Patient/../../etc/passwd HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
		// Spring Security's firewall refuses the path before anything resolves it.
		assertThat(answer).startsWith("HTTP/1.1 400");
		assertThat(answer).contains("application/fhir+json").contains("\"resourceType\":\"OperationOutcome\"").doesNotContain("timestamp");
	}

	@Test
	void aBodyInAnEncodingTheGatewayDoesNotSpeakIs415InJson() {
		HttpResponse<String> response = Http.post(base + "/Patient", "<> a fhir:Patient .", "Content-Type", "text/turtle");
		OperationOutcome outcome = Errors.outcome(response, 415);
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("text/turtle");
	}

	@Test
	void anAnswerInRdfIsNeverGivenWhateverTheCallerAccepts() {
		Errors.outcome(Http.get(base + "/Patient?_count=1", "Accept", "text/turtle"), 406);
		HttpResponse<String> fallback = Http.get(base + "/Patient?_count=1", "Accept", "text/turtle, application/fhir+json;q=0.5");
		assertThat(fallback.statusCode()).isEqualTo(200);
		assertThat(fallback.headers().firstValue("Content-Type").orElse("")).contains("application/fhir+json");
		Errors.outcome(Http.get(base + "/Patient?_count=1&_format=ttl", "Prefer", "handling=lenient"), 400);
	}

	@Test
	void aMalformedIfMatchIs400AndChangesNothing() {
		String marker = UUID.randomUUID().toString();
		String id = createdId("Patient", patient(marker, "Before"));
		String update = "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"name\":[{\"family\":\"After\"}]}";
		Errors.outcome(Http.put(base + "/Patient/" + id, update, "If-Match", "garbage"), 400);
		assertThat(Http.parse(Http.get(base + "/Patient/" + id), Patient.class).getNameFirstRep().getFamily()).isEqualTo("Before");
	}

	@Test
	void aJsonPatchWithAnUnknownOpIs400InPlainWords() {
		String id = createdId("Patient", patient(UUID.randomUUID().toString(), "Before"));
		HttpResponse<String> response = Http.patch(base + "/Patient/" + id, "[{\"op\":\"frobnicate\",\"path\":\"/gender\",\"value\":\"female\"}]",
				"application/json-patch+json");
		OperationOutcome outcome = Errors.outcome(response, 400);
		assertThat(response.body()).doesNotContain("com.github").doesNotContain("java.");
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("add, remove, replace, move, copy, test");
	}

	@Test
	void aFhirPathPatchWithAnUnparsablePathIs400NamingThePath() {
		String id = createdId("Patient", patient(UUID.randomUUID().toString(), "Before"));
		for (String path : new String[] {"Patient.name[x", "Patient.'name", "Patient.name.where($this = 1 1)"}) {
			String patch = "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"operation\",\"part\":[{\"name\":\"type\",\"valueCode\":"
					+ "\"delete\"},{\"name\":\"path\",\"valueString\":\"" + path + "\"}]}]}";
			HttpResponse<String> response = Http.patch(base + "/Patient/" + id, patch, "application/fhir+json");
			OperationOutcome outcome = Errors.outcome(response, 400);
			assertThat(expression(outcome)).isEqualTo("Parameters.parameter[0].part[1].value");
			assertThat(response.body()).doesNotContain("org.hl7").doesNotContain("FHIRLexer");
		}
	}

	@Test
	void unknownSummaryAndFormatValuesAre400UnlessHandlingIsLenient() {
		Errors.outcome(Http.get(base + "/Patient?_summary=bogus"), 400);
		Errors.outcome(Http.get(base + "/Patient?_format=bogus"), 400);
		assertThat(Http.get(base + "/Patient?_summary=bogus&_count=1", "Prefer", "handling=lenient").statusCode()).isEqualTo(200);
		assertThat(Http.get(base + "/Patient?_summary=count").statusCode()).isEqualTo(200);
		assertThat(Http.get(base + "/Patient?_format=xml&_count=1").statusCode()).isEqualTo(200);
		assertThat(Http.get(base + "/Patient?_format=application/fhir%2Bjson&_count=1").statusCode()).isEqualTo(200);
	}

	@Test
	void aSearchWithAVariantNhsNumberSystemFindsThePatient() {
		String nhsNumber = TestNhsNumbers.next();
		String id = createdId("Patient", "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"https://fhir.nhs.uk/Id/nhs-number\","
				+ "\"value\":\"" + nhsNumber + "\"}]}");
		for (String system : new String[] {"http://fhir.nhs.uk/id/nhs-number/", "https://fhir.nhs.uk/Id/nhs-number"}) {
			Bundle found = Http.parse(Http.get(base + "/Patient?identifier=" + system + "|" + nhsNumber), Bundle.class);
			assertThat(found.getEntry()).as(system).extracting(e -> e.getResource().getIdElement().getIdPart()).containsExactly(id);
		}
	}

	@Test
	void createsAreCountedAs201InTheMetrics() {
		createdId("Patient", patient(UUID.randomUUID().toString(), "Counted"));
		String metrics = Http.get("http://localhost:" + gateway.port() + "/actuator/prometheus").body();
		assertThat(metrics).containsPattern("fhir_requests_seconds_count\\{interaction=\"create\",status=\"201\",type=\"Patient\"}");
	}

	@Test
	void noRefusedValueReachesTheLog() {
		String secret = "Zqx" + UUID.randomUUID().toString().replace("-", "");
		Http.post(base + "/Patient", patient(secret, secret + "\\u0000"));
		Http.post(base + "/Observation", observation(secret, HUGE));
		Http.get(base + "/Patient?family=" + secret + "%00");
		Http.put(base + "/Patient?", patient(secret, secret));
		Http.patch(base + "/Patient/" + secret, "[{\"op\":\"" + secret + "\",\"path\":\"/gender\"}]", "application/json-patch+json");
		for (ILoggingEvent event : log.list) {
			assertThat(event.getFormattedMessage()).doesNotContain(secret);
			for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
				assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
			}
		}
	}
}
