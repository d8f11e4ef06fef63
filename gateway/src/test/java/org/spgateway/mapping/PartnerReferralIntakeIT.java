package org.spgateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.intake.TestNhsNumbers;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;

/**
 * A partner's referral in its own dialect goes through intake like any other once its inbound map has run: the Meadow GP
 * system's referral (its own referral-source extension, its local reason codes), sent by REST and in a transaction, is stored
 * in the gateway's shape, queued for the provider with a Provenance, and a resend stores nothing. The sandbox directory plus a
 * test-only practice A99911 (Meadowbank Surgery) and a service covering it (DoS 9000011).
 */
class PartnerReferralIntakeIT {

	private static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	private static final String SNOMED = "http://snomed.info/sct";
	private static final String MEADOW_REASON = "https://fhir.meadow-clinical.example/CodeSystem/referral-reason";
	private static final String MEADOW_SOURCE = "https://fhir.meadow-clinical.example/StructureDefinition/referral-source";
	private static final String REFERRAL_SOURCE = "https://spgateway.org/fhir/StructureDefinition/sp-referral-source";
	private static final String MEADOW_REQUESTER = "{ \"identifier\": { \"system\": \"" + ODS + "\", \"value\": \"A99911\" },"
			+ " \"display\": \"Meadowbank Surgery\" }";

	private static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = GatewayServer.start("gateway.sandbox=true",
				"gateway.directory.seed-files=classpath:org/spgateway/mapping/intake/meadow-directory.json");
	}

	@AfterAll
	static void stop() {
		gateway.close();
	}

	private static String fill(String fixture, Map<String, String> values) {
		String text = Fixtures.text(PartnerReferralIntakeIT.class, "intake/" + fixture);
		for (Map.Entry<String, String> e : values.entrySet()) {
			text = text.replace("${" + e.getKey() + "}", e.getValue());
		}
		return text;
	}

	private static String transaction(String nhs, String ref) {
		return fill("meadow-transaction.json", Map.of("NHS", nhs, "REF", ref));
	}

	private static <T extends Resource> List<T> search(String query, Class<T> type) {
		HttpResponse<String> response = Http.get(gateway.baseUrl() + "/" + query.replace("|", "%7C"));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Http.parse(response, Bundle.class).getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance)
				.map(type::cast).toList();
	}

	private static String diagnostics(HttpResponse<String> response) {
		return Http.parse(response, OperationOutcome.class).getIssue().stream()
				.map(OperationOutcome.OperationOutcomeIssueComponent::getDiagnostics)
				.reduce("", (a, b) -> a + "\n" + b);
	}

	/** The referral as stored is the gateway's: SNOMED CT reasons first, Meadow's codings kept, sp-referral-source, no Meadow extension. */
	private static void assertCanonical(ServiceRequest stored) {
		assertThat(stored.getExtensionByUrl(MEADOW_SOURCE)).isNull();
		assertThat(((Coding) stored.getExtensionByUrl(REFERRAL_SOURCE).getValue()).getCode()).isEqualTo("gp");
		assertThat(stored.getReasonCode()).hasSize(2);
		assertThat(stored.getReasonCode().get(0).getCoding()).extracting(Coding::getSystem, Coding::getCode)
				.containsExactly(tuple(SNOMED, "44054006"), tuple(MEADOW_REASON, "DM2"));
		assertThat(stored.getReasonCode().get(1).getCodingFirstRep().getSystem()).isEqualTo(SNOMED);
		assertThat(stored.getReasonCode().get(1).getCodingFirstRep().getCode()).isEqualTo("422650009");
	}

	private static Task queuedTaskFor(String referral) {
		List<Task> queue = search("Task?owner:identifier=" + ODS + "|X99901&status=requested&focus=" + referral, Task.class);
		assertThat(queue).as("the provider's queue for %s", referral).hasSize(1);
		return queue.get(0);
	}

	@Test
	void meadowsTransactionIsStoredInTheGatewaysShapeWithItsTaskQueuedAndAResendStoresNothing() {
		String nhs = TestNhsNumbers.next();
		String ref = "MDW-A99911-" + UUID.randomUUID();
		HttpResponse<String> first = Http.post(gateway.baseUrl(), transaction(nhs, ref), "Prefer", "return=OperationOutcome");
		assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
		Bundle answer = Http.parse(first, Bundle.class);
		assertThat(answer.getEntry().get(1).getResponse().getStatus()).isEqualTo("201 Created");
		String location = answer.getEntry().get(1).getResponse().getLocation().replaceAll("/_history/.*", "");
		assertThat(Http.json(answer.getEntry().get(1).getResponse().getOutcome())).contains("Translated by the map MeadowGpReferralInbound");

		ServiceRequest stored = Http.parse(Http.get(gateway.baseUrl() + "/" + location), ServiceRequest.class);
		assertCanonical(stored);
		assertThat(stored.getPerformerFirstRep().getReference()).isEqualTo("HealthcareService/dos-9000011");
		Task task = queuedTaskFor(location);
		assertThat(task.getRequester().getIdentifier().getValue()).isEqualTo("A99911");
		assertThat(search("Provenance?target=" + location, Provenance.class)).hasSize(1);
		assertThat(search("ServiceRequest?referral-source=gp&identifier=" + ref, ServiceRequest.class)).hasSize(1);

		HttpResponse<String> again = Http.post(gateway.baseUrl(), transaction(nhs, ref), "Prefer", "return=OperationOutcome");
		assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
		Bundle second = Http.parse(again, Bundle.class);
		assertThat(second.getEntry().get(1).getResponse().getStatus()).isEqualTo("200 OK");
		assertThat(second.getEntry().get(1).getResponse().getLocation()).startsWith(location + "/_history/1");
		assertThat(search("ServiceRequest?identifier=" + ref, ServiceRequest.class)).hasSize(1);
		assertThat(search("Task?focus=" + location, Task.class)).hasSize(1);
		assertThat(search("Provenance?target=" + location, Provenance.class)).hasSize(1);
	}

	@Test
	void meadowsReferralByRestIsStoredInTheGatewaysShapeAndAResendStoresNothing() {
		String nhs = TestNhsNumbers.next();
		// The person first, as a GP system registers them.
		HttpResponse<String> patient = Http.post(gateway.baseUrl() + "/Patient", """
				{"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"%s"}],
				 "name":[{"family":"Adeyemi","given":["Sam"]}],"birthDate":"1970-02-14",
				 "generalPractitioner":[{"identifier":{"system":"%s","value":"A99911"}}]}""".formatted(nhs, ODS));
		assertThat(patient.statusCode()).as(patient.body()).isEqualTo(201);
		String body = fill("meadow-referral.json", Map.of("NHS", nhs, "REF", "MDW-A99911-" + UUID.randomUUID(), "REQUESTER", MEADOW_REQUESTER));

		HttpResponse<String> created = Http.post(gateway.baseUrl() + "/ServiceRequest", body, "Prefer", "return=representation");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		ServiceRequest answered = Http.parse(created, ServiceRequest.class);
		assertCanonical(answered);
		String location = "ServiceRequest/" + answered.getIdElement().getIdPart();
		assertCanonical(Http.parse(Http.get(gateway.baseUrl() + "/" + location), ServiceRequest.class));
		queuedTaskFor(location);

		HttpResponse<String> again = Http.post(gateway.baseUrl() + "/ServiceRequest", body, "Prefer", "return=OperationOutcome");
		assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
		assertThat(diagnostics(again)).contains("received before as " + location);
		assertThat(search("Task?focus=" + location, Task.class)).hasSize(1);
	}

	@Test
	void aReferralNamingNoPartnerButSentByAMeadowUserIsTranslatedToo() {
		String nhs = TestNhsNumbers.next();
		assertThat(Http.post(gateway.baseUrl() + "/Patient", """
				{"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"%s"}],
				 "name":[{"family":"Bell","given":["Robin"]}],"birthDate":"1980-05-01"}""".formatted(nhs)).statusCode()).isEqualTo(201);
		// The requester is the practice's stored Organization by reference only; the sending user's organisation says it is Meadow.
		String body = fill("meadow-referral.json", Map.of("NHS", nhs, "REF", "MDW-A99911-" + UUID.randomUUID(),
				"REQUESTER", "{ \"reference\": \"Organization/ods-A99911\" }"));
		String endUser = Base64.getEncoder().encodeToString(("{\"resourceType\":\"Organization\",\"identifier\":[{\"system\":\"" + ODS
				+ "\",\"value\":\"A99911\"}],\"name\":\"Meadowbank Surgery\"}").getBytes());
		HttpResponse<String> created = Http.post(gateway.baseUrl() + "/ServiceRequest", body, "Prefer", "return=representation",
				"NHSD-End-User-Organisation", endUser);
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		assertCanonical(Http.parse(created, ServiceRequest.class));
	}

	@Test
	void aMapFailingAtRunTimeAnswers422NamingTheMapAndRuleAndStoresNothing() {
		String nhs = TestNhsNumbers.next();
		String ref = "MDW-A99911-" + UUID.randomUUID();
		String refused = transaction(nhs, ref).replace("\"resourceType\": \"ServiceRequest\",", """
				"resourceType": "ServiceRequest",
				"modifierExtension": [ { "url": "https://fhir.meadow-clinical.example/StructureDefinition/urgent", "valueBoolean": true } ],""");
		HttpResponse<String> response = Http.post(gateway.baseUrl(), refused);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
		OperationOutcome outcome = Http.parse(response, OperationOutcome.class);
		assertThat(diagnostics(response)).contains("The map MeadowGpReferralInbound"
				+ " (https://spgateway.org/fhir/StructureMap/meadow-gp-referral-inbound)"
				+ " failed at rule 'noModifierExtensions'");
		assertThat(outcome.getIssue()).anySatisfy(i -> assertThat(i.getExpression().get(0).getValue()).isEqualTo("Bundle.entry[1].resource"));
		assertThat(search("ServiceRequest?identifier=" + ref, ServiceRequest.class)).isEmpty();
		assertThat(search("Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|" + nhs, Patient.class)).isEmpty();

		String rest = fill("meadow-referral.json", Map.of("NHS", nhs, "REF", ref, "REQUESTER", MEADOW_REQUESTER))
				.replace("\"resourceType\": \"ServiceRequest\",",
				"\"resourceType\": \"ServiceRequest\", \"modifierExtension\": [ { \"url\": \"https://example.org/x\", \"valueBoolean\": true } ],");
		HttpResponse<String> byRest = Http.post(gateway.baseUrl() + "/ServiceRequest", rest);
		assertThat(byRest.statusCode()).as(byRest.body()).isEqualTo(422);
		assertThat(diagnostics(byRest)).contains("failed at rule 'noModifierExtensions'");
		assertThat(search("ServiceRequest?identifier=" + ref, ServiceRequest.class)).isEmpty();
	}

	@Test
	void theTranslatedReferralIsWhatIsValidatedSoItsProfileErrorsAreReportedAfterTheMap() {
		String nhs = TestNhsNumbers.next();
		// sp-referral requires an identifier; Meadow's map copies what Meadow sent, and the translation is refused for lacking one.
		String body = fill("meadow-referral.json", Map.of("NHS", nhs, "REF", "x", "REQUESTER", MEADOW_REQUESTER))
				.replaceAll("\"identifier\": \\[ \\{ \"system\": \"https://fhir.meadow-clinical.example/Id/referral\"[^]]*\\],", "");
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/ServiceRequest", body);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
		String said = diagnostics(response);
		assertThat(said).contains("Translated by the map MeadowGpReferralInbound").contains("identifier");
	}

	private static String b64(String json) {
		return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
	}

	private static HttpResponse<String> sendMessage(String body) {
		return Http.post(gateway.baseUrl() + "/$process-message", body, "X-Request-Id", UUID.randomUUID().toString(),
				"X-Correlation-Id", UUID.randomUUID().toString(),
				"NHSD-Target-Identifier", b64("{\"system\":\"https://fhir.nhs.uk/Id/dos-service-id\",\"value\":\"9000011\"}"),
				"NHSD-End-User-Organisation", b64("{\"resourceType\":\"Organization\",\"identifier\":[{\"system\":\"" + ODS
						+ "\",\"value\":\"A99911\"}],\"name\":\"Meadowbank Surgery\"}"),
				"NHSD-Requesting-Software", b64("{\"resourceType\":\"Device\",\"deviceName\":[{\"name\":\"Meadow Clinical\",\"type\":"
						+ "\"manufacturer-name\"}],\"version\":[{\"value\":\"7.1\"}]}"),
				"Accept", "application/fhir+json; version=1.1.0");
	}

	@Test
	void meadowsBarsMessageIsStoredInTheGatewaysShapeAndAResentMessageStoresNothing() {
		Map<String, String> values = new HashMap<>(Map.of("NHS", TestNhsNumbers.next(), "REF", "MDW-A99911-" + UUID.randomUUID(),
				"BUNDLE_ID", UUID.randomUUID().toString()));
		for (String u : List.of("HEADER", "SR", "PATIENT", "PRACTICE")) {
			values.put("UUID_" + u, UUID.randomUUID().toString());
		}
		HttpResponse<String> response = sendMessage(fill("meadow-bars-message.json", values));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		ServiceRequest answered = Http.parse(response, Bundle.class).getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
				.filter(ServiceRequest.class::isInstance).map(ServiceRequest.class::cast).findFirst().orElseThrow();
		String location = "ServiceRequest/" + answered.getIdElement().getIdPart();
		assertCanonical(Http.parse(Http.get(gateway.baseUrl() + "/" + location), ServiceRequest.class));
		queuedTaskFor(location);

		// The same referral in a new message (new Bundle id): BaRS resend of the same referral stores nothing new.
		values.put("BUNDLE_ID", UUID.randomUUID().toString());
		values.put("UUID_HEADER", UUID.randomUUID().toString());
		HttpResponse<String> again = sendMessage(fill("meadow-bars-message.json", values));
		assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
		assertThat(search("ServiceRequest?identifier=" + values.get("REF"), ServiceRequest.class)).hasSize(1);
		assertThat(search("Task?focus=" + location, Task.class)).hasSize(1);
	}

	@Test
	void meadowsBarsMessageWhoseMapFailsIsRefusedWithTheMapAndRuleAndStoresNothing() {
		Map<String, String> values = new HashMap<>(Map.of("NHS", TestNhsNumbers.next(), "REF", "MDW-A99911-" + UUID.randomUUID(),
				"BUNDLE_ID", UUID.randomUUID().toString()));
		for (String u : List.of("HEADER", "SR", "PATIENT", "PRACTICE")) {
			values.put("UUID_" + u, UUID.randomUUID().toString());
		}
		String body = fill("meadow-bars-message.json", values).replace("\"resourceType\": \"ServiceRequest\",",
				"\"resourceType\": \"ServiceRequest\", \"modifierExtension\": [ { \"url\": \"https://example.org/x\", \"valueBoolean\": true } ],");
		HttpResponse<String> response = sendMessage(body);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
		assertThat(response.body()).contains("The map MeadowGpReferralInbound").contains("noModifierExtensions")
				.contains("Bundle.entry[1].resource");
		assertThat(search("ServiceRequest?identifier=" + values.get("REF"), ServiceRequest.class)).isEmpty();
	}
}
