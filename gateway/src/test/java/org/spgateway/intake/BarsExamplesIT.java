package org.spgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.spgateway.intake.Referrals.read;
import static org.spgateway.intake.Referrals.search;
import static org.spgateway.intake.Referrals.taskFor;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.MessageHeader;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SandboxGateway;

/**
 * BaRS messages shaped exactly like the national guide's published examples (REFREQ07 and REFREQ03 GP
 * referrals, SERVREQ01 cancellation, SERVREQ02 entered in error), aimed at the sandbox's general social
 * prescribing service (DoS 9000002, Northside Wellbeing Partnership X99901) from Riverside Surgery (A99901).
 */
class BarsExamplesIT {

	static final String ERRORS = "https://fhir.nhs.uk/Codesystem/http-error-codes";
	static final String RECORD_KIND = "https://spgateway.org/fhir/CodeSystem/sp-record-kind";
	static final String TARGET = BarsMessageIT.b64("{\"system\":\"https://fhir.nhs.uk/Id/dos-service-id\",\"value\":\"9000002\"}");
	static final String END_USER_ORG = BarsMessageIT.b64("{\"resourceType\":\"Organization\",\"identifier\":[{\"system\":"
			+ "\"https://fhir.nhs.uk/Id/ods-organization-code\",\"value\":\"A99901\"}],\"name\":\"Riverside Surgery\"}");
	static final String QUEUE = "Task?owner:identifier=https://fhir.nhs.uk/Id/ods-organization-code|X99901&status=requested";
	static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = SandboxGateway.get();
	}

	/** One referral's values, shared by the new, update and delete messages about it (the same ServiceRequest fullUrl). */
	static final class Referral {
		final Map<String, String> values = new HashMap<>();

		Referral() {
			values.put("NHS", Referrals.nhsNumber());
			values.put("BIRTH", "1959-05-04");
			values.put("SDS", "PT" + ThreadLocalRandom.current().nextInt(100000, 999999));
			values.put("SDS_GP", "G" + ThreadLocalRandom.current().nextInt(100000, 999999));
			values.put("NOTE", "Please phone in the afternoon.");
			values.put("STATUS", "active");
			for (String u : List.of("SR", "PATIENT", "PRACTICE", "PROVIDER", "ADMIN_ORG", "REFERRER", "REFERRER_ROLE", "GP", "GP_ROLE", "ENCOUNTER",
					"EPISODE", "CAREPLAN", "OBSERVATION", "TASK", "CONDITION", "MEDICATION", "SERVICE", "CONSENT", "FLAG", "RELATED", "LOCATION", "QR")) {
				values.put("UUID_" + u, UUID.randomUUID().toString());
			}
		}

		/** A message about this referral: the fixture filled with a new Bundle id and MessageHeader id. */
		String message(String fixture, String reason) {
			Map<String, String> m = new HashMap<>(values);
			m.put("BUNDLE_ID", UUID.randomUUID().toString());
			m.put("UUID_HEADER", UUID.randomUUID().toString());
			m.put("REASON", reason);
			return Referrals.fill("bars/" + fixture, m);
		}

		Referral with(String key, String value) {
			values.put(key, value);
			return this;
		}
	}

	static HttpResponse<String> send(String body, String... extraHeaders) {
		List<String> headers = new ArrayList<>(List.of("X-Request-Id", UUID.randomUUID().toString(), "X-Correlation-Id", UUID.randomUUID().toString(),
				"NHSD-Target-Identifier", TARGET, "NHSD-End-User-Organisation", END_USER_ORG, "Accept", "application/fhir+json; version=1.1.0",
				"Content-Type", body.startsWith("<") ? "application/fhir+xml" : "application/fhir+json"));
		for (int i = 0; i < extraHeaders.length; i += 2) {
			int existing = headers.indexOf(extraHeaders[i]);
			if (existing >= 0) {
				headers.set(existing + 1, extraHeaders[i + 1]);
			} else {
				headers.add(extraHeaders[i]);
				headers.add(extraHeaders[i + 1]);
			}
		}
		return Http.post(gateway.baseUrl() + "/$process-message", body, headers.toArray(new String[0]));
	}

	static <T extends Resource> T entry(Bundle response, Class<T> type) {
		return response.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
	}

	static ServiceRequest accepted(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Bundle answer = Http.parse(response, Bundle.class);
		assertThat(((MessageHeader) answer.getEntryFirstRep().getResource()).getResponse().getCode()).isEqualTo(MessageHeader.ResponseType.OK);
		return entry(answer, ServiceRequest.class);
	}

	// ---------------------------------------------------------------- new referrals

	@Test
	void theGuidesGpReferralShapeInXmlIsAcceptedWithoutAnIdentifier() {
		Referral referral = new Referral();
		ServiceRequest stored = accepted(send(referral.message("referral-new-full.xml", "new")));

		String location = "ServiceRequest/" + stored.getIdElement().getIdPart();
		assertThat(stored.getIdentifier()).singleElement().satisfies(i -> {
			assertThat(i.getSystem()).isEqualTo("https://spgateway.org/fhir/Id/bars-referral");
			assertThat(i.getValue()).isEqualTo("urn:uuid:" + referral.values.get("UUID_SR"));
			assertThat(i.getAssigner().getIdentifier().getValue()).isEqualTo("A99901");
		});
		assertThat(stored.getCode().getCodingFirstRep().getCode()).isEqualTo("871731000000106");
		assertThat(stored.getPerformerFirstRep().getReference()).isEqualTo("HealthcareService/dos-9000002");
		assertThat(stored.getBasedOnFirstRep().getReference()).startsWith("CarePlan/");
		assertThat(stored.getEncounter().getReference()).startsWith("Encounter/");
		assertThat(stored.getOccurrencePeriod().hasEnd()).isTrue();
		assertThat(stored.getCategory().get(0).getCoding()).extracting(c -> c.getSystem()).contains("https://fhir.nhs.uk/CodeSystem/usecases-categories-bars");
		assertThat(stored.getRequester().getReference()).startsWith("Practitioner/");

		Task task = taskFor(gateway, location);
		assertThat(task.getOwner().getIdentifier().getValue()).isEqualTo("X99901");
		assertThat(task.getCode().getCodingFirstRep().getCode()).isEqualTo("fulfill");
		List<Task> queue = search(gateway, QUEUE + "&patient=" + stored.getSubject().getReference(), Task.class);
		assertThat(queue).extracting(t -> t.getIdElement().getIdPart()).containsExactly(task.getIdElement().getIdPart());

		// The sender's context: stored as sent, tagged, listed as the referral's supporting information.
		CarePlan plan = read(gateway, stored.getBasedOnFirstRep().getReference(), CarePlan.class);
		assertThat(plan.getMeta().getTag(RECORD_KIND, "sender-context")).isNotNull();
		Task sendersTask = read(gateway, plan.getActivityFirstRep().getReference().getReference(), Task.class);
		assertThat(sendersTask.getMeta().getTag(RECORD_KIND, "sender-context")).isNotNull();
		assertThat(sendersTask.getCode().getCodingFirstRep().getCode()).isEqualTo("871731000000106");
		assertThat(sendersTask.hasOwner()).isFalse();
		assertThat(stored.getSupportingInfo()).extracting(r -> r.getReference().replaceAll("/.*", ""))
				.contains("Task", "Observation", "MedicationStatement", "Condition", "Consent");
		String patient = stored.getSubject().getReference();
		assertThat(search(gateway, "Observation?patient=" + patient, Observation.class)).singleElement()
				.satisfies(o -> assertThat(o.getMeta().getTag(RECORD_KIND, "sender-context")).isNotNull());
		assertThat(search(gateway, "Encounter?patient=" + patient, Encounter.class)).hasSize(1);
	}
}
