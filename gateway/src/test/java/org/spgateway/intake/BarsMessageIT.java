package org.spgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.spgateway.intake.Referrals.read;
import static org.spgateway.intake.Referrals.search;
import static org.spgateway.intake.Referrals.taskFor;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.MessageHeader;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SandboxGateway;

/** BaRS referral messages through $process-message: answers, stored state, idempotency, conflicts, updates, cancellation, refusals, headers. */
class BarsMessageIT {

	static final String EVENTS = "https://fhir.nhs.uk/CodeSystem/message-events-bars";
	static final String ERRORS = "https://fhir.nhs.uk/Codesystem/http-error-codes";
	static final String TARGET = b64("{\"system\":\"https://fhir.nhs.uk/Id/dos-service-id\",\"value\":\"9000001\"}");
	static final String END_USER_ORG = b64("{\"resourceType\":\"Organization\",\"identifier\":[{\"system\":\"https://fhir.nhs.uk/Id/ods-organization-code\","
			+ "\"value\":\"A99902\"}],\"name\":\"Hilltop Medical Practice\"}");
	static final String SOFTWARE = b64("{\"resourceType\":\"Device\",\"identifier\":[{\"system\":\"https://consumersupplier.com/Id/device-identifier\","
			+ "\"value\":\"GP-SYS-42\"}],\"deviceName\":[{\"name\":\"Example GP System\",\"type\":\"manufacturer-name\"}],\"version\":[{\"value\":\"4.2.1\"}]}");
	static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = SandboxGateway.get();
	}

	static String b64(String json) {
		return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
	}

	/** One BaRS message's values; a new referral by default. */
	static final class Message {
		final Map<String, String> values = new HashMap<>();

		Message() {
			values.put("BUNDLE_ID", UUID.randomUUID().toString());
			values.put("REASON", "new");
			values.put("STATUS", "active");
			values.put("REF", Referrals.referralId());
			values.put("NHS", Referrals.nhsNumber());
			values.put("BIRTH", "1961-03-09");
			values.put("SDS", "5" + (100000000L + ThreadLocalRandom.current().nextLong(899999999L)));
			values.put("NOTE", "Recently widowed and finding it hard to get out.");
			values.put("CONSENT_STATUS", "active");
			values.put("CONSENT_TYPE", "permit");
			for (String u : List.of("HEADER", "SR", "PATIENT", "ORG", "ROLE", "PRACTITIONER", "ENCOUNTER", "CONDITION", "FLAG", "CONSENT", "QR")) {
				values.put("UUID_" + u, UUID.randomUUID().toString());
			}
		}

		/**
		 * The same referral in a new message: a new Bundle id and new ids for every entry but the referral's,
		 * whose fullUrl (with the sender) is the referral's identity in every BaRS message about it.
		 */
		Message resent() {
			Message m = new Message();
			for (String key : List.of("REF", "NHS", "BIRTH", "SDS", "NOTE", "CONSENT_STATUS", "CONSENT_TYPE", "STATUS", "REASON", "UUID_SR")) {
				m.values.put(key, values.get(key));
			}
			return m;
		}

		Message with(String key, String value) {
			values.put(key, value);
			return this;
		}

		String body() {
			return Referrals.fill("bars-referral.json", values);
		}

		String id() {
			return values.get("BUNDLE_ID");
		}
	}

	static HttpResponse<String> send(Message message, String... extraHeaders) {
		return send(message.body(), extraHeaders);
	}

	static HttpResponse<String> send(String body, String... extraHeaders) {
		return send(gateway, body, extraHeaders);
	}

	static HttpResponse<String> send(GatewayServer to, String body, String... extraHeaders) {
		List<String> headers = new ArrayList<>(List.of("X-Request-Id", UUID.randomUUID().toString(), "X-Correlation-Id", UUID.randomUUID().toString(),
				"NHSD-Target-Identifier", TARGET, "NHSD-End-User-Organisation", END_USER_ORG, "NHSD-Requesting-Software", SOFTWARE,
				"Accept", "application/fhir+json; version=1.1.0"));
		for (int i = 0; i < extraHeaders.length; i += 2) {
			int existing = headers.indexOf(extraHeaders[i]);
			if (existing >= 0) {
				headers.set(existing + 1, extraHeaders[i + 1]);
			} else {
				headers.add(extraHeaders[i]);
				headers.add(extraHeaders[i + 1]);
			}
		}
		return Http.post(to.baseUrl() + "/$process-message", body, headers.toArray(new String[0]));
	}

	static MessageHeader header(Bundle response) {
		return (MessageHeader) response.getEntryFirstRep().getResource();
	}

	static <T> T entry(Bundle response, Class<T> type) {
		return response.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
	}

	/** A refusal's error issue: BaRS answers a refused message with an OperationOutcome, not a message Bundle. */
	static OperationOutcome.OperationOutcomeIssueComponent error(HttpResponse<String> response) {
		return Http.parse(response, OperationOutcome.class).getIssue().stream().filter(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR)
				.findFirst().orElseThrow();
	}

	// ---------------------------------------------------------------- new referrals

	@Test
	void aNewReferralIsAnsweredOkWithTheStoredReferralAndTaskAndEverythingIsRecorded() {
		Message message = new Message();
		String requestId = UUID.randomUUID().toString();
		String correlationId = UUID.randomUUID().toString();
		HttpResponse<String> response = send(message, "X-Request-Id", requestId, "X-Correlation-Id", correlationId);

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(response.headers().firstValue("X-Request-Id")).hasValue(requestId);
		assertThat(response.headers().firstValue("X-Correlation-Id")).hasValue(correlationId);
		Bundle answer = Http.parse(response, Bundle.class);
		assertThat(answer.getType()).isEqualTo(Bundle.BundleType.MESSAGE);
		MessageHeader header = header(answer);
		assertThat(header.getEventCoding().getSystem()).isEqualTo(EVENTS);
		assertThat(header.getEventCoding().getCode()).isEqualTo("servicerequest-response");
		assertThat(header.getResponse().getIdentifier()).isEqualTo(message.id());
		assertThat(header.getResponse().getCode()).isEqualTo(MessageHeader.ResponseType.OK);
		assertThat(header.getDestinationFirstRep().getEndpoint()).isEqualTo("https://gp.example.nhs.uk/A99902/fhir/$process-message");
		assertThat(header.getSender().getIdentifier().getValue()).isEqualTo("X99901");

		ServiceRequest referral = entry(answer, ServiceRequest.class);
		Task task = entry(answer, Task.class);
		String referralLocation = "ServiceRequest/" + referral.getIdElement().getIdPart();
		assertThat(header.getFocus()).extracting(f -> f.getReference()).allMatch(r -> r.startsWith(gateway.baseUrl() + "/"))
				.anyMatch(r -> r.endsWith(referralLocation));
		assertThat(referral.getPerformerFirstRep().getReference()).isEqualTo("HealthcareService/dos-9000001");
		assertThat(referral.getRequester().getReference()).startsWith("PractitionerRole/");
		assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.REQUESTED);
		assertThat(task.getFocus().getReference()).isEqualTo(referralLocation);
		assertThat(task.getOwner().getIdentifier().getValue()).isEqualTo("X99901");
		assertThat(task.getNote()).extracting(n -> n.getText())
				.contains("Risk or safeguarding flag sent with the referral: Lives with a relative who has been aggressive to visitors: meet in a public place");
		assertThat(referral.getExtensionByUrl("https://spgateway.org/fhir/StructureDefinition/sp-referral-source").getValue().primitiveValue()).isNull();
		assertThat(((org.hl7.fhir.r4.model.Coding) referral.getExtensionByUrl("https://spgateway.org/fhir/StructureDefinition/sp-referral-source")
				.getValue()).getCode()).isEqualTo("gp");

		// The message's clinical content is stored and linked; directory resources are matched, not copied.
		String patient = referral.getSubject().getReference();
		assertThat(search(gateway, "Encounter?patient=" + patient, Encounter.class)).hasSize(1);
		assertThat(search(gateway, "Flag?patient=" + patient, Flag.class)).hasSize(1);
		assertThat(search(gateway, "Consent?patient=" + patient, Consent.class)).hasSize(1);
		// The questionnaire-less referral questions travel inside the referral (outcome capture takes only named instruments).
		assertThat(search(gateway, "QuestionnaireResponse?subject=" + patient, QuestionnaireResponse.class)).isEmpty();
		QuestionnaireResponse questions = (QuestionnaireResponse) referral.getContained().get(0);
		assertThat(questions.getItemFirstRep().getAnswerFirstRep().getValueStringType().getValue()).isEqualTo("Getting out of the house and meeting people");
		assertThat(questions.getSubject().getReference()).isEqualTo(patient);
		assertThat(referral.getSupportingInfo()).extracting(r -> r.getReference()).contains("#" + questions.getIdElement().getIdPart());
		assertThat(search(gateway, "Organization?identifier=https://fhir.nhs.uk/Id/ods-organization-code|A99902", Organization.class))
				.singleElement().satisfies(o -> assertThat(o.getIdElement().getIdPart()).isEqualTo("ods-A99902"));
		PractitionerRole role = read(gateway, referral.getRequester().getReference(), PractitionerRole.class);
		assertThat(role.getOrganization().getReference()).isEqualTo("Organization/ods-A99902");

		// The Provenance names the sender, its system and organisation, and records the BaRS headers decoded.
		Provenance provenance = search(gateway, "Provenance?target=" + referralLocation, Provenance.class).get(0);
		Extension context = provenance.getExtensionByUrl("https://spgateway.org/fhir/StructureDefinition/sp-message-context");
		assertThat(context.getExtensionByUrl("channel").getValue().primitiveValue()).isEqualTo("bars-message");
		assertThat(context.getExtensionByUrl("messageId").getValue().primitiveValue()).isEqualTo(message.id());
		assertThat(context.getExtensionByUrl("messageReason").getValue().primitiveValue()).isEqualTo("new");
		assertThat(context.getExtensionByUrl("requestId").getValue().primitiveValue()).isEqualTo(requestId);
		assertThat(context.getExtensionByUrl("correlationId").getValue().primitiveValue()).isEqualTo(correlationId);
		assertThat(context.getExtensionByUrl("replyTo").getValue().primitiveValue()).isEqualTo("https://gp.example.nhs.uk/A99902/fhir/$process-message");
		assertThat(((org.hl7.fhir.r4.model.Identifier) context.getExtensionByUrl("targetIdentifier").getValue()).getValue()).isEqualTo("9000001");
		assertThat(((org.hl7.fhir.r4.model.Identifier) context.getExtensionByUrl("endUserOrganisation").getValue()).getValue()).isEqualTo("A99902");
		assertThat(context.getExtensionByUrl("requestingSoftware").getValue().primitiveValue()).isEqualTo("Example GP System 4.2.1");
		assertThat(provenance.getAgent()).extracting(a -> a.getType().getCodingFirstRep().getCode()).containsExactly("author", "enterer", "assembler");
		assertThat(provenance.getAgent().get(1).getWho().getIdentifier().getValue()).isEqualTo("A99902");
		assertThat(provenance.getAgent().get(2).getWho().getDisplay()).isEqualTo("Example GP System 4.2.1");
		assertThat(provenance.getEntityFirstRep().getWhat().getIdentifier().getValue()).isEqualTo("urn:uuid:" + message.id());
	}

	@Test
	void theSameBundleIdAgainGetsTheFirstAnswerAndStoresNothing() {
		Message message = new Message();
		HttpResponse<String> first = send(message);
		assertThat(first.statusCode()).isEqualTo(200);

		HttpResponse<String> again = send(message);

		assertThat(again.statusCode()).isEqualTo(200);
		assertThat(Http.parse(again, Bundle.class).getId()).isEqualTo(Http.parse(first, Bundle.class).getId());
		String patient = entry(Http.parse(first, Bundle.class), ServiceRequest.class).getSubject().getReference();
		assertThat(search(gateway, "Encounter?patient=" + patient, Encounter.class)).hasSize(1);
		assertThat(search(gateway, "Task?patient=" + patient, Task.class)).hasSize(1);
	}

	@Test
	void aDifferentMessageUnderAUsedBundleIdIsAConflict() {
		Message message = new Message();
		assertThat(send(message).statusCode()).isEqualTo(200);

		HttpResponse<String> conflict = send(message.with("NOTE", "A different note"));

		assertThat(conflict.statusCode()).isEqualTo(409);
		assertThat(error(conflict).getDetails().getCodingFirstRep().getSystem()).isEqualTo(ERRORS);
		assertThat(error(conflict).getDetails().getCodingFirstRep().getCode()).isEqualTo("REC_CONFLICT");
		assertThat(error(conflict).getDiagnostics()).contains("Bundle id " + message.id() + " was already used for a different message");
		assertThat(error(conflict).getExpression()).extracting(e -> e.getValue()).containsExactly("Bundle.id");
	}

	@Test
	void theSameReferralInANewMessageGetsTheFirstReferralAndStoresNothingNew() {
		Message message = new Message();
		Bundle first = Http.parse(send(message), Bundle.class);

		HttpResponse<String> again = send(message.resent());

		assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
		Bundle answer = Http.parse(again, Bundle.class);
		assertThat(header(answer).getResponse().getCode()).isEqualTo(MessageHeader.ResponseType.OK);
		assertThat(entry(answer, ServiceRequest.class).getIdElement().getIdPart()).isEqualTo(entry(first, ServiceRequest.class).getIdElement().getIdPart());
		assertThat(entry(answer, OperationOutcome.class).getIssueFirstRep().getDiagnostics()).contains("This referral was received before");
		String patient = entry(first, ServiceRequest.class).getSubject().getReference();
		assertThat(search(gateway, "Encounter?patient=" + patient, Encounter.class)).hasSize(1);
		assertThat(search(gateway, "Flag?patient=" + patient, Flag.class)).hasSize(1);
	}

	@Test
	void aDifferentReferralUnderAUsedFullUrlIsRecConflict() {
		Message message = new Message();
		assertThat(send(message).statusCode()).isEqualTo(200);

		HttpResponse<String> conflict = send(message.resent().with("NOTE", "Another referral entirely"));

		assertThat(conflict.statusCode()).isEqualTo(409);
		OperationOutcome.OperationOutcomeIssueComponent error = error(conflict);
		assertThat(error.getDetails().getCodingFirstRep().getCode()).isEqualTo("REC_CONFLICT");
		assertThat(error.getDiagnostics()).contains("was received before with different content").contains(message.values.get("UUID_SR"));
		assertThat(error.getExpression()).extracting(e -> e.getValue()).containsExactly("Bundle.entry[1].resource");
	}

	@Test
	void aSecondReferralFromTheSameGpReusesTheirPractitionerAndRole() {
		Message first = new Message();
		ServiceRequest one = entry(Http.parse(send(first), Bundle.class), ServiceRequest.class);
		Message second = new Message().with("SDS", first.values.get("SDS"));
		HttpResponse<String> response = send(second);

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		ServiceRequest two = entry(Http.parse(response, Bundle.class), ServiceRequest.class);
		assertThat(two.getRequester().getReference()).isEqualTo(one.getRequester().getReference());
		assertThat(search(gateway, "Practitioner?identifier=https://fhir.nhs.uk/Id/sds-user-id|" + first.values.get("SDS"), Practitioner.class)).hasSize(1);
	}

	@Test
	void theReferringOrganisationFallsBackToTheMessageSenderWhenTheRequesterNamesNone() {
		Message message = new Message();
		String body = message.body().replace("\"organization\": { \"reference\": \"urn:uuid:" + message.values.get("UUID_ORG") + "\" },", "");
		HttpResponse<String> response = send(body, "NHSD-End-User-Organisation", "");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		ServiceRequest referral = entry(Http.parse(response, Bundle.class), ServiceRequest.class);
		Provenance provenance = search(gateway, "Provenance?target=ServiceRequest/" + referral.getIdElement().getIdPart(), Provenance.class).get(0);
		assertThat(provenance.getAgentFirstRep().getOnBehalfOf().getIdentifier().getValue()).isEqualTo("A99902");
	}

	// ---------------------------------------------------------------- updates and cancellation

	@Test
	void anUpdateRevokingTheReferralCancelsTheTask() {
		Message message = new Message();
		ServiceRequest referral = entry(Http.parse(send(message), Bundle.class), ServiceRequest.class);

		HttpResponse<String> response = send(message.resent().with("REASON", "update").with("STATUS", "revoked")
				.with("NOTE", "Patient has moved to another practice"));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Bundle answer = Http.parse(response, Bundle.class);
		assertThat(header(answer).getResponse().getCode()).isEqualTo(MessageHeader.ResponseType.OK);
		assertThat(entry(answer, ServiceRequest.class).getStatus()).isEqualTo(ServiceRequest.ServiceRequestStatus.REVOKED);
		Task task = taskFor(gateway, "ServiceRequest/" + referral.getIdElement().getIdPart());
		assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.CANCELLED);
		assertThat(task.getStatusReason().getText()).isEqualTo("Cancelled by the referrer: Patient has moved to another practice");
		// The unchanged Condition, Flag and Encounter of the update message are the stored ones, not copies.
		String patient = referral.getSubject().getReference();
		assertThat(search(gateway, "Flag?patient=" + patient, Flag.class)).hasSize(1);
		assertThat(search(gateway, "Encounter?patient=" + patient, Encounter.class)).hasSize(1);
	}

	@Test
	void aDeleteWithdrawsTheReferral() {
		Message message = new Message();
		ServiceRequest referral = entry(Http.parse(send(message), Bundle.class), ServiceRequest.class);

		HttpResponse<String> response = send(message.resent().with("REASON", "delete"));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		String location = "ServiceRequest/" + referral.getIdElement().getIdPart();
		assertThat(read(gateway, location, ServiceRequest.class).getStatus()).isEqualTo(ServiceRequest.ServiceRequestStatus.ENTEREDINERROR);
		Task task = taskFor(gateway, location);
		assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.CANCELLED);
		assertThat(task.getStatusReason().getText()).isEqualTo("Withdrawn by the referrer (BaRS delete)");
	}

	@Test
	void anUpdateForAReferralNeverReceivedIsRecNotFound() {
		HttpResponse<String> response = send(new Message().with("REASON", "update"));

		assertThat(response.statusCode()).isEqualTo(404);
		OperationOutcome.OperationOutcomeIssueComponent error = error(response);
		assertThat(error.getDetails().getCodingFirstRep().getCode()).isEqualTo("REC_NOT_FOUND");
		assertThat(error.getDiagnostics()).contains("send it with reason new first");
	}

	// ---------------------------------------------------------------- refusals

	@Test
	void anIneligibleReferralIsAFatalErrorInPlainWords() {
		Message message = new Message().with("BIRTH", "1990-02-02");
		HttpResponse<String> response = send(message);

		assertThat(response.statusCode()).isEqualTo(422);
		OperationOutcome.OperationOutcomeIssueComponent error = error(response);
		assertThat(error.getDetails().getCodingFirstRep().getCode()).isEqualTo("REC_UNPROCESSABLE_ENTITY");
		assertThat(error.getDiagnostics()).contains("Aged 36 on 2026-11-20; this service accepts ages 40-74");
		assertThat(error.getExpression().get(0).getValue()).isEqualTo("Bundle.entry[1].resource.subject");
		assertThat(search(gateway, "Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|" + message.values.get("NHS"),
				org.hl7.fhir.r4.model.Patient.class)).isEmpty();
	}

	@Test
	void aConsentThatDoesNotPermitSharingIsRefused() {
		HttpResponse<String> response = send(new Message().with("CONSENT_TYPE", "deny"));

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(error(response).getDiagnostics()).contains("does not permit sharing their information with the provider");
	}

	@Test
	void aMalformedBarsHeaderIsRecBadRequest() {
		HttpResponse<String> response = send(new Message(), "NHSD-Target-Identifier", "not base64 !!");

		assertThat(response.statusCode()).isEqualTo(400);
		OperationOutcome.OperationOutcomeIssueComponent error = error(response);
		assertThat(error.getDetails().getCodingFirstRep().getCode()).isEqualTo("REC_BAD_REQUEST");
		assertThat(error.getDiagnostics()).contains("NHSD-Target-Identifier header is not base64");
	}

	@Test
	void aTargetHeaderNamingAnUnknownServiceIsRefused() {
		HttpResponse<String> response = send(new Message(), "NHSD-Target-Identifier",
				b64("{\"system\":\"https://fhir.nhs.uk/id/dos-service-id\",\"value\":\"9999998\"}"));

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(error(response).getDiagnostics()).contains("Unknown service: The NHSD-Target-Identifier header names DoS service 9999998");
	}

	@Test
	void aBodyThatIsNotAMessageIsABadRequest() {
		HttpResponse<String> response = send("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[]}");

		assertThat(response.statusCode()).isEqualTo(400);
		OperationOutcome outcome = Http.parse(response, OperationOutcome.class);
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("takes a Bundle of type message");
		assertThat(outcome.getIssueFirstRep().getDetails().getCodingFirstRep().getCode()).isEqualTo("REC_BAD_REQUEST");
	}

	@Test
	void theCapabilityStatementAdvertisesProcessMessage() {
		org.hl7.fhir.r4.model.CapabilityStatement cs = Http.parse(Http.get(gateway.baseUrl() + "/metadata"), org.hl7.fhir.r4.model.CapabilityStatement.class);
		assertThat(cs.getRestFirstRep().getOperation()).extracting(o -> o.getName()).contains("process-message");
	}

	@Test
	void anEventOtherThanAReferralRequestIsRefused() {
		String body = new Message().body().replace("\"code\": \"servicerequest-request\"", "\"code\": \"booking-request\"");
		HttpResponse<String> response = send(body);

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(error(response).getDiagnostics()).contains("MessageHeader.eventCoding must be "
				+ EVENTS + "|servicerequest-request");
	}
}
