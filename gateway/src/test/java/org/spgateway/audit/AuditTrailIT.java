package org.spgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ca.uhn.fhir.parser.IParser;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityComponent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.intake.TestNhsNumbers;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.HookReceiver;
import org.spgateway.testsupport.Http;

/**
 * Every FHIR interaction and every delivery attempt leaves an AuditEvent in the IHE BALP shape, found
 * through the API by the request id the caller sent: creates, reads and searches, refusals by HAPI, by the
 * providers and by the filters before them, a request whose transaction rolled back, and notifications
 * delivered or not. None of them holds a value from a payload.
 */
class AuditTrailIT {

	static final IParser JSON = GatewayServer.fhirContext().newJsonParser();
	static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	static final String REQUEST_ID = "https://spgateway.org/fhir/Id/request-id";
	static GatewayServer gateway;
	static HookReceiver receiver;

	@BeforeAll
	static void start() {
		receiver = HookReceiver.start();
		gateway = GatewayServer.start("gateway.sandbox=true", "gateway.notifications.require-https=false",
				"gateway.outbound.allowed-cidrs=127.0.0.0/8,::1/128", "gateway.notifications.subscription-refresh=200ms",
				"gateway.notifications.delivery.poll-interval=200ms", "gateway.notifications.delivery.initial-backoff=100ms",
				"gateway.notifications.delivery.max-backoff=300ms", "gateway.audit.flush-interval=100ms");
	}

	@AfterAll
	static void stop() {
		gateway.stop();
		receiver.close();
	}

	@Test
	void aCreateIsAuditedWithTheResourceThePatientTheCallerTheServerAndTheRequestIds() {
		String nhs = TestNhsNumbers.next();
		String requestId = UUID.randomUUID().toString();
		HttpResponse<String> created = Http.post(gateway.baseUrl() + "/Patient", patient(nhs), "X-Request-Id", requestId,
				"X-Correlation-Id", "audit-corr-1");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		String id = Http.parse(created, Patient.class).getIdElement().getIdPart();

		AuditEvent event = only(requestId);
		assertThat(event.getType().getCode()).isEqualTo("rest");
		assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("create");
		assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.C);
		assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
		assertThat(event.getAgentFirstRep().getRequestor()).isTrue();
		assertThat(event.getAgentFirstRep().getName()).isEqualTo("demo-tester");
		assertThat(event.getAgentFirstRep().getNetwork().getAddress()).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
		assertThat(event.getAgent()).anySatisfy(a -> assertThat(a.getType().getCodingFirstRep().getCode()).isEqualTo("110152"));
		assertThat(event.getSource().getObserver().getIdentifier().getValue()).isEqualTo("sp-gateway");
		assertThat(references(event)).contains("Patient/" + id + "/_history/1", "Patient/" + id);
		assertThat(entity(event, "XcorrelationId").getWhat().getIdentifier().getValue()).isEqualTo("audit-corr-1");
		assertThat(chain(event)).as("sealed into the chain").isNotNull();
		String stored = JSON.encodeResourceToString(event);
		assertThat(stored).doesNotContain(nhs).doesNotContain("Quennell").doesNotContain("07700");
	}

	@Test
	void aReadIsAuditedWithTheVersionReadAndItsPatient() {
		String id = createPatient();
		String requestId = UUID.randomUUID().toString();
		assertThat(Http.get(gateway.baseUrl() + "/Patient/" + id, "X-Request-Id", requestId).statusCode()).isEqualTo(200);

		AuditEvent event = only(requestId);
		assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("read");
		assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.R);
		assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
		assertThat(references(event)).contains("Patient/" + id + "/_history/1", "Patient/" + id);
	}

	@Test
	void aSearchIsAuditedWithItsQueryInBase64AndThePersonalValuesHidden() {
		String requestId = UUID.randomUUID().toString();
		HttpResponse<String> found = Http.get(gateway.baseUrl() + "/Patient?family=Quennell&_count=5", "X-Request-Id", requestId);
		assertThat(found.statusCode()).as(found.body()).isEqualTo(200);

		AuditEvent event = only(requestId);
		assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("search-type");
		assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.E);
		AuditEventEntityComponent query = event.getEntity().stream().filter(AuditEventEntityComponent::hasQuery).findFirst().orElseThrow();
		assertThat(new String(query.getQuery(), StandardCharsets.UTF_8)).isEqualTo("family=*&_count=5");
		assertThat(JSON.encodeResourceToString(event)).doesNotContain("Quennell");
	}

	@Test
	void refusalsAreAuditedAsFailuresWithTheirStatusAndWhatWasWrongWithoutTheValues() {
		String invalid = patient(TestNhsNumbers.next()).replace("\"1961-03-14\"", "\"14/03/1961\"");
		assertRefused(Http.post(gateway.baseUrl() + "/Patient", invalid, "X-Request-Id", rid()), 422, "create", "14/03/1961");
		assertRefused(Http.get(gateway.baseUrl() + "/Patient/no-such-patient", "X-Request-Id", rid()), 404, "read", null);
		assertRefused(Http.get(gateway.baseUrl() + "/Patient?shoe-size=9", "X-Request-Id", rid()), 400, "search-type", null);
		assertRefused(Http.post(gateway.baseUrl() + "/AuditEvent", "{\"resourceType\":\"AuditEvent\"}", "X-Request-Id", rid()), 405, null, null);
		// Refused by RequestLimitsFilter before HAPI ever sees it: a control character in a string.
		String control = patient(TestNhsNumbers.next()).replace("Quennell", "Quen\\u0007nell");
		assertRefused(Http.post(gateway.baseUrl() + "/Patient", control, "X-Request-Id", rid()), 400, "create", "Quen");
	}

	@Test
	void requestsAuthenticationRefusesAreAuditedWithWhyButNeverTheToken() {
		String noToken = rid();
		HttpResponse<String> refused = Http.send(HttpRequest.newBuilder(Http.uri(gateway.baseUrl() + "/Patient?family=Quennell"))
				.header("X-Request-Id", noToken).header("Authorization", ""));
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
		AuditEvent anonymous = only(noToken);
		assertThat(anonymous.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
		assertThat(anonymous.getOutcomeDesc()).contains("401").contains("no access token");
		assertThat(anonymous.getAgentFirstRep().getName()).isEqualTo("unauthenticated");

		String forged = rid();
		String token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.c2lnbmF0dXJl";
		HttpResponse<String> bad = Http.get(gateway.baseUrl() + "/Patient", "X-Request-Id", forged, "Authorization", "Bearer " + token);
		assertThat(bad.statusCode()).as(bad.body()).isEqualTo(401);
		AuditEvent badToken = only(forged);
		assertThat(badToken.getOutcomeDesc()).contains("access token refused");
		assertThat(JSON.encodeResourceToString(badToken)).doesNotContain(token).doesNotContain("mallory");
	}

	@Test
	void aRequestThatFailsAfterItsTransactionRolledBackIsAuditedWithoutWhatWasRolledBack() {
		String nhs = TestNhsNumbers.next();
		String bundle = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
				+ "{\"fullUrl\":\"urn:uuid:" + UUID.randomUUID() + "\",\"resource\":" + patient(nhs)
				+ ",\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}},"
				+ "{\"resource\":" + observation("Patient/" + UUID.randomUUID(), "AUDIT1").replace("{\"resourceType\":\"Observation\",",
						"{\"resourceType\":\"Observation\",\"id\":\"never-stored\",")
				+ ",\"request\":{\"method\":\"PUT\",\"url\":\"Observation/never-stored\",\"ifMatch\":\"W/\\\"3\\\"\"}}]}";
		String requestId = rid();
		HttpResponse<String> failed = Http.post(gateway.baseUrl(), bundle, "X-Request-Id", requestId);
		assertThat(failed.statusCode()).as(failed.body()).isEqualTo(404);
		Bundle patients = Http.parse(Http.get(gateway.baseUrl() + "/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|" + nhs), Bundle.class);
		assertThat(patients.getEntry()).as("the Patient was rolled back").isEmpty();

		AuditEvent event = only(requestId);
		assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("transaction");
		assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
		assertThat(event.getOutcomeDesc()).startsWith("HTTP 404");
		assertThat(references(event)).noneMatch(r -> r.startsWith("Patient/"));
	}

	@Test
	void eachNotificationAttemptIsAuditedAsATransmitWithTheReceiverAndHowItEnded() {
		String ods = "AUD" + UUID.randomUUID().toString().substring(0, 6);
		String subscription = subscribe(ods, receiver.url("/audit-" + ods));
		String patient = createPatient();
		String observation = Http.parse(created("/Observation", observation("Patient/" + patient, ods)), Observation.class)
				.getIdElement().getIdPart();
		receiver.await(r -> r.path().startsWith("/audit-" + ods), 1, Duration.ofSeconds(30));

		AuditEvent delivered = await().atMost(Duration.ofSeconds(30)).until(() -> transmits(subscription), l -> !l.isEmpty()).get(0);
		assertThat(delivered.getType().getCode()).isEqualTo("110106");
		assertThat(delivered.getSubtype()).extracting(c -> c.getCode()).contains("transmit", "notification");
		assertThat(delivered.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
		assertThat(delivered.getAgent().get(1).getWho().getReference()).isEqualTo("Subscription/" + subscription);
		assertThat(delivered.getAgent().get(1).getNetwork().getAddress()).isEqualTo("localhost:" + receiver.url("").replaceAll(".*:", ""));
		assertThat(references(delivered)).contains("Observation/" + observation + "/_history/1", "Patient/" + patient);

		receiver.answer(500);
		try {
			created("/Observation", observation("Patient/" + patient, ods));
			AuditEvent failed = await().atMost(Duration.ofSeconds(30)).until(() -> transmits(subscription),
					l -> l.stream().anyMatch(e -> e.getOutcome() != AuditEvent.AuditEventOutcome._0)).stream()
					.filter(e -> e.getOutcome() != AuditEvent.AuditEventOutcome._0).findFirst().orElseThrow();
			assertThat(failed.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
			assertThat(failed.getOutcomeDesc()).startsWith("HTTP 500: ");
		} finally {
			receiver.answer(200);
		}
	}

	@Test
	void auditEventsAreSearchableByPatientAgentEntityDateOutcomeTypeAndSubtype() {
		String id = createPatient();
		Http.get(gateway.baseUrl() + "/Patient/" + id);
		String today = LocalDate.now().minusDays(1).toString();
		List<AuditEvent> forPatient = await().atMost(Duration.ofSeconds(20)).until(() -> search("patient=Patient/" + id), l -> l.size() >= 2);
		assertThat(forPatient).extracting(e -> e.getSubtypeFirstRep().getCode()).contains("create", "read");
		assertThat(search("entity=Patient/" + id + "&subtype=read&date=ge" + today)).hasSize(1);
		// These searches are audited too, each naming the patient it asked about: hence the subtypes.
		assertThat(search("patient=Patient/" + id + "&type=http://terminology.hl7.org/CodeSystem/audit-event-type|rest&outcome=0"
				+ "&subtype=create,read")).hasSize(2);
		assertThat(search("patient=Patient/" + id + "&outcome=4")).isEmpty();
		assertThat(search("patient=Patient/" + id + "&agent-name=demo-tester"
				+ "&agent:identifier=https://spgateway.org/fhir/Id/gateway|sp-gateway&subtype=create,read")).hasSize(2);
		// The searches above, written a flush later.
		await().atMost(Duration.ofSeconds(20)).until(() -> search("patient=Patient/" + id + "&subtype=search-type"), l -> !l.isEmpty());
	}

	@Test
	void theChainOfAllThisVerifies() {
		createPatient();
		Parameters verdict = Http.parse(Http.get(gateway.baseUrl() + "/AuditEvent/$verify-chain"), Parameters.class);
		assertThat(verdict.getParameterBool("valid")).as(JSON.encodeResourceToString(verdict)).isTrue();
		assertThat(((DecimalType) verdict.getParameter("checked").getValue()).getValue().intValue()).isPositive();
	}

	static String rid() {
		return UUID.randomUUID().toString();
	}

	static void assertRefused(HttpResponse<String> response, int status, String interaction, String hiddenValue) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		AuditEvent event = only(response.headers().firstValue("X-Request-Id").orElseThrow());
		assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
		assertThat(event.getOutcomeDesc()).startsWith("HTTP " + status);
		if (interaction != null) {
			assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo(interaction);
		}
		if (hiddenValue != null) {
			assertThat(JSON.encodeResourceToString(event)).doesNotContain(hiddenValue);
		}
	}

	/** The one AuditEvent of the request with this X-Request-Id, once written. */
	static AuditEvent only(String requestId) {
		AtomicReference<List<AuditEvent>> found = new AtomicReference<>();
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
			found.set(search("entity:identifier=" + REQUEST_ID + "|" + requestId));
			return !found.get().isEmpty();
		});
		assertThat(found.get()).hasSize(1);
		return found.get().get(0);
	}

	static List<AuditEvent> transmits(String subscription) {
		return search("subtype=http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle|transmit&agent=Subscription/" + subscription);
	}

	static List<AuditEvent> search(String query) {
		String encoded = query.replace("|", URLEncoder.encode("|", StandardCharsets.UTF_8));
		HttpResponse<String> response = Http.get(gateway.baseUrl() + "/AuditEvent?" + encoded + "&_count=100");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Http.parse(response, Bundle.class).getEntry().stream().map(e -> (AuditEvent) e.getResource()).toList();
	}

	static List<String> references(AuditEvent event) {
		return event.getEntity().stream().filter(e -> e.getWhat().hasReference()).map(e -> e.getWhat().getReference()).toList();
	}

	static AuditEventEntityComponent entity(AuditEvent event, String type) {
		return event.getEntity().stream().filter(e -> type.equals(e.getType().getCode())).findFirst().orElseThrow();
	}

	static String chain(AuditEvent event) {
		return event.getExtension().stream().filter(e -> AuditChain.EXTENSION.equals(e.getUrl())).findFirst()
				.map(e -> e.getExtensionString("hash")).orElse(null);
	}

	static String patient(String nhs) {
		return Fixtures.text(AuditTrailIT.class, "patient.json").replace("set by the test", nhs);
	}

	static String observation(String patient, String ods) {
		return JSON.encodeResourceToString(Fixtures.resource(AuditTrailIT.class, "observation.json", Observation.class))
				.replace("Patient/set-by-the-test", patient).replace("set by the test", ods);
	}

	static String createPatient() {
		return Http.parse(created("/Patient", patient(TestNhsNumbers.next())), Patient.class).getIdElement().getIdPart();
	}

	static HttpResponse<String> created(String path, String body) {
		HttpResponse<String> response = Http.post(gateway.baseUrl() + path, body);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return response;
	}

	static String subscribe(String ods, String endpoint) {
		Subscription sub = Fixtures.resource(AuditTrailIT.class, "subscription.json", Subscription.class);
		sub.setCriteria("Observation?performer:identifier=" + ODS + "|" + ods);
		sub.getChannel().setEndpoint(endpoint);
		return Http.parse(created("/Subscription", JSON.encodeResourceToString(sub)), Subscription.class).getIdElement().getIdPart();
	}
}
