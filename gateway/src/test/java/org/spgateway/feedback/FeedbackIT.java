package org.spgateway.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ca.uhn.fhir.rest.api.EncodingEnum;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.MessageHeader;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.spgateway.intake.TestNhsNumbers;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.HookReceiver;
import org.spgateway.testsupport.Http;
import org.spgateway.validation.ResourceValidator;
import org.spgateway.validation.ValidationIssue;
import org.spgateway.validation.ValidationReport;
import org.spgateway.workflow.Journey;

/**
 * Feedback to referrers through the API and a local receiver standing in for the GP system: a BaRS
 * messaging referrer (practice A99901, Endpoint hl7-fhir-msg), a polling one (A99902 before it lists an
 * Endpoint), then a FHIR REST one (A99902 with an hl7-fhir-rest Endpoint).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FeedbackIT {

	static final String SP_EVENT = "https://spgateway.org/fhir/CodeSystem/sp-feedback-event";
	static GatewayServer gateway;
	static HookReceiver gp;
	static String endpoint;

	@BeforeAll
	static void start() {
		gp = HookReceiver.start();
		gateway = GatewayServer.start("gateway.sandbox=true", "gateway.feedback.require-https=false", "gateway.directory.refresh-interval=100ms",
				"gateway.notifications.delivery.poll-interval=200ms", "gateway.notifications.delivery.initial-backoff=100ms",
				"gateway.notifications.delivery.max-backoff=300ms", "gateway.notifications.delivery.give-up-after=2s",
				"gateway.workflow.feedback-within=1s");
		endpoint = listEndpoint(gateway, "ods-A99901", "hl7-fhir-msg", gp.url("/gp/fhir"), "Authorization: Bearer gp-token");
	}

	@AfterAll
	static void stop() {
		gateway.stop();
		gp.close();
	}

	@Test
	void aBarsReferrerReceivesEachEventAsAValidServiceRequestResponseWithTheOriginalCorrelationId() {
		Journey j = Journey.referredByRest(gateway);
		String task = j.task();
		j.step(task, "accept.json");

		Bundle accepted = message(j, 1);
		MessageHeader header = (MessageHeader) accepted.getEntryFirstRep().getResource();
		assertThat(header.getEventCoding().getCode()).isEqualTo("servicerequest-response");
		assertThat(header.getResponse().getCode()).isEqualTo(MessageHeader.ResponseType.OK);
		assertThat(header.getFocusFirstRep().getReference()).isEqualTo("ServiceRequest/" + j.referral);
		Communication said = only(accepted, Communication.class);
		assertThat(said.getReasonCodeFirstRep().getCoding()).extracting(c -> c.getSystem() + "|" + c.getCode())
				.contains(SP_EVENT + "|accepted", "http://snomed.info/sct|871731000000106");
		assertThat(only(accepted, Procedure.class).getCode().getCodingFirstRep().getCode()).isEqualTo("871731000000106");
		assertThat(said.getPayloadFirstRep().getContentStringType().getValue()).contains("accepted the referral");
		assertValid(accepted);

		HookReceiver.Received first = delivered(j).get(0);
		assertThat(first.header("X-Correlation-Id")).isEqualTo(j.correlation);
		assertThat(first.header("Authorization")).isEqualTo("Bearer gp-token");
		assertThat(first.path()).isEqualTo("/gp/fhir/$process-message");
		// Once the GP system has acknowledged it, the Communication says so.
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(communications(j)).extracting(Communication::getStatus)
				.containsOnly(Communication.CommunicationStatus.COMPLETED));

		j.step(task, "first-appointment-booked.json");
		j.step(task, "did-not-attend.json");
		assertThat(event(message(j, 2))).isEqualTo("did-not-attend");
		j.step(task, "first-appointment-booked.json");
		j.step(task, "first-appointment-attended.json");
		HttpResponse<String> signposted = Http.patch(gateway.baseUrl() + "/Task/" + task, "[{\"op\":\"add\",\"path\":\"/output\",\"value\":[{"
				+ "\"type\":{\"coding\":[{\"system\":\"https://spgateway.org/fhir/CodeSystem/sp-task-output\",\"code\":\"signposting\"}]},"
				+ "\"valueString\":\"Tuesday walking group\"}]}]", "application/json-patch+json");
		assertThat(signposted.statusCode()).as(signposted.body()).isEqualTo(200);
		j.values.put("BASELINE", j.create("QuestionnaireResponse", "wellbeing-star-baseline.json"));
		j.values.put("REVIEW", j.create("QuestionnaireResponse", "wellbeing-star-review.json"));
		Bundle discharged = messageAfter(j, 3, () -> j.step(task, "discharge.json"));
		assertThat(event(discharged)).isEqualTo("discharged");
		assertThat(only(discharged, ServiceRequest.class).getStatus()).isEqualTo(ServiceRequest.ServiceRequestStatus.COMPLETED);
		assertThat(only(discharged, Communication.class).getPayloadFirstRep().getContentStringType().getValue())
				.contains("Needs and concerns: Social isolation").contains("signposted to")
				.containsPattern("Outcomes: Wellbeing Star \\(1 to 5\\): of 8 scores from the first assessment to the latest, \\d improved, \\d worse, \\d unchanged");
		// Both responses' scores travel as the coded Observations outcome capture extracted (the eight domains of each).
		assertThat(discharged.getEntry()).filteredOn(e -> e.getResource() instanceof Observation).hasSize(16);
		assertValid(discharged);
		List<HookReceiver.Received> all = delivered(j);
		assertThat(all).extracting(r -> r.header("X-Correlation-Id")).containsOnly(j.correlation);
		assertThat(all).extracting(r -> r.header("X-Request-Id")).doesNotHaveDuplicates();
	}

	@Test
	void aSelfReferralIsFedBackToThePersonsRegisteredPractice() {
		// The person (registered at A99901, which lists a BaRS Endpoint) refers themselves.
		HttpResponse<String> patient = Http.post(gateway.baseUrl() + "/Patient", Journey.fill(Fixtures.text(Journey.class, "patient.json"),
				Map.of("NHS", TestNhsNumbers.next())));
		String patientId = Http.parse(patient, Patient.class).getIdElement().getIdPart();
		String body = Journey.fill(Fixtures.text(Journey.class, "referral.json"), Map.of("PATIENT", patientId, "REF", "SELF-" + UUID.randomUUID(),
				"PRACTICE", "A99901")).replaceFirst("\"requester\": \\{[^}]*\\} \\},", "\"requester\": { \"reference\": \"Patient/" + patientId + "\" },");
		assertThat(body).contains("\"requester\": { \"reference\": \"Patient/");
		HttpResponse<String> referred = Http.post(gateway.baseUrl() + "/ServiceRequest", body);
		assertThat(referred.statusCode()).as(referred.body()).isEqualTo(201);
		String referral = Http.parse(referred, ServiceRequest.class).getIdElement().getIdPart();
		String task = Http.parse(Http.get(gateway.baseUrl() + "/Task?focus=ServiceRequest/" + referral), Bundle.class).getEntryFirstRep()
				.getResource().getIdElement().getIdPart();
		assertThat(Http.patch(gateway.baseUrl() + "/Task/" + task, Journey.example("accept.json"), "application/json-patch+json").statusCode())
				.isEqualTo(200);
		Bundle message = parse(gp.await(r -> r.path().startsWith("/gp/") && r.body().contains("ServiceRequest/" + referral), 1,
				Duration.ofSeconds(30)).get(0).body());
		Communication said = only(message, Communication.class);
		assertThat(said.getRecipientFirstRep().getIdentifier().getValue()).isEqualTo("A99901");
		assertValid(message);
	}

	@Test
	@Order(2)
	void aFhirRestReferrerReceivesTheCommunicationAndItsCodedEntriesAsATransaction() {
		listEndpoint(gateway, "ods-A99902", "hl7-fhir-rest", gp.url("/rest/fhir"));

		Journey j = Journey.referredByRest(gateway, "A99902");
		j.step(j.task(), "accept.json");
		HookReceiver.Received got = gp.await(r -> r.path().equals("/rest/fhir") && r.body().contains("ServiceRequest/" + j.referral), 1,
				Duration.ofSeconds(30)).get(0);
		Bundle transaction = parse(got.body());
		assertThat(transaction.getType()).isEqualTo(Bundle.BundleType.TRANSACTION);
		assertThat(transaction.getEntry()).extracting(en -> en.getRequest().getMethod() + " " + en.getResource().fhirType())
				.containsExactlyInAnyOrder("PUT Communication", "PUT Procedure");
		assertThat(got.header("X-Correlation-Id")).isEqualTo(j.correlation);
		assertValid(transaction);
	}

	@Test
	@Order(1)
	void aReferrerWithoutAnEndpointFindsItsFeedbackByPolling() {
		Journey other = Journey.referredByRest(gateway, "A99902");
		other.step(other.task(), "reject.json");
		List<Communication> found = communications(other);
		assertThat(found).hasSize(1);
		Communication rejected = found.get(0);
		assertThat(rejected.getReasonCodeFirstRep().getCoding()).extracting(c -> c.getSystem() + "|" + c.getCode())
				.contains(SP_EVENT + "|rejected", "https://fhir.nhs.uk/CodeSystem/rejected-reasons-bars|OTH");
		assertThat(rejected.getPayloadFirstRep().getContentStringType().getValue()).contains("Needs specialist debt advice")
				.contains("Suggested instead: Northside Welfare Rights Advice");
	}

	@Test
	void feedbackKeptWhileTheGpSystemIsDownIsDeliveredInOrderWhenReDriven() {
		Journey j = Journey.referredByRest(gateway);
		String task = j.task();
		gp.answer(503);
		try {
			j.step(task, "accept.json");
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(communications(j)).extracting(Communication::getStatus)
					.containsOnly(Communication.CommunicationStatus.NOTDONE));
			assertThat(communications(j).get(0).getStatusReason().getText()).startsWith("Could not deliver to the referrer's system");
			// Not closed-loop: the provider's (and operators') overdue list says so.
			String overdue = Http.get(gateway.baseUrl() + "/Task/$overdue?owner=X99901&_count=500").body();
			assertThat(overdue).contains("feedback-undelivered").contains("Task/" + task);
			j.step(task, "first-appointment-booked.json");
			j.step(task, "did-not-attend.json");
		} finally {
			gp.answer(200);
		}
		HttpResponse<String> redrive = Http.post(gateway.baseUrl() + "/Endpoint/" + endpoint + "/$redrive", "{\"resourceType\":\"Parameters\"}");
		assertThat(redrive.statusCode()).as(redrive.body()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(communications(j)).hasSize(2).extracting(Communication::getStatus)
				.containsOnly(Communication.CommunicationStatus.COMPLETED));
		List<String> events = delivered(j).stream().filter(r -> r.header("X-Correlation-Id").equals(j.correlation))
				.map(r -> event(parse(r.body()))).distinct().toList();
		assertThat(events).containsExactly("accepted", "did-not-attend");
	}

	/** Creates an Endpoint and lists it on a directory Organization, as a practice's administrator would; returns its id. */
	static String listEndpoint(GatewayServer gateway, String organisation, String connectionType, String address, String... headers) {
		Endpoint e = new Endpoint();
		e.setStatus(Endpoint.EndpointStatus.ACTIVE);
		e.getConnectionType().setSystem("http://terminology.hl7.org/CodeSystem/endpoint-connection-type").setCode(connectionType);
		e.addPayloadType().setText("hl7-fhir-msg".equals(connectionType) ? "BaRS servicerequest-response" : "FHIR R4 transaction");
		e.setAddress(address);
		for (String h : headers) {
			e.addHeader(h);
		}
		HttpResponse<String> created = Http.post(gateway.baseUrl() + "/Endpoint", json(e));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		String id = Http.parse(created, Endpoint.class).getIdElement().getIdPart();
		Organization practice = Http.parse(Http.get(gateway.baseUrl() + "/Organization/" + organisation), Organization.class);
		practice.addEndpoint(new Reference("Endpoint/" + id));
		HttpResponse<String> put = Http.put(gateway.baseUrl() + "/Organization/" + organisation, json(practice));
		assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
		return id;
	}

	static List<Communication> communications(Journey j) {
		return j.search("Communication?based-on=ServiceRequest/" + j.referral + "&_sort=_lastUpdated", Communication.class);
	}

	static List<HookReceiver.Received> delivered(Journey j) {
		return gp.received(r -> r.path().startsWith("/gp/") && r.body().contains("ServiceRequest/" + j.referral));
	}

	static Bundle message(Journey j, int n) {
		List<HookReceiver.Received> got = gp.await(r -> r.path().startsWith("/gp/") && r.body().contains("ServiceRequest/" + j.referral), n,
				Duration.ofSeconds(30));
		return parse(got.get(n - 1).body());
	}

	static Bundle messageAfter(Journey j, int n, Runnable action) {
		action.run();
		return message(j, n);
	}

	static String event(Bundle message) {
		return only(message, Communication.class).getReasonCodeFirstRep().getCoding().stream().filter(c -> SP_EVENT.equals(c.getSystem()))
				.findFirst().orElseThrow().getCode();
	}

	static <T extends Resource> T only(Bundle bundle, Class<T> type) {
		List<T> found = bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance).map(type::cast).toList();
		assertThat(found).as(type.getSimpleName()).hasSize(1);
		return found.get(0);
	}

	/** Every message the gateway emits validates with no errors against the base spec and the gateway's profiles. */
	static void assertValid(Bundle message) {
		String body = GatewayServer.fhirContext().newJsonParser().encodeResourceToString(message);
		ValidationReport report = gateway.bean(ResourceValidator.class).validate(body, EncodingEnum.JSON, "Bundle", null);
		assertThat(report.issues().stream().filter(ValidationIssue::isError).map(i -> i.expression() + ": " + i.diagnostics())).isEmpty();
	}

	static Bundle parse(String body) {
		return GatewayServer.fhirContext().newJsonParser().parseResource(Bundle.class, body);
	}

	static String json(Resource r) {
		return GatewayServer.fhirContext().newJsonParser().encodeResourceToString(r);
	}
}
