package org.spgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.spgateway.intake.Referrals.read;
import static org.spgateway.intake.Referrals.search;
import static org.spgateway.intake.Referrals.taskFor;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.spgateway.testsupport.Golden;
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

	@Test
	void theGuidesShortShapeInJsonIsAcceptedAndTheSendersTaskNeverReachesTheWorkQueue() {
		Referral referral = new Referral();
		HttpResponse<String> response = send(referral.message("referral-new-short.json", "new"));
		ServiceRequest stored = accepted(response);

		assertThat(stored.getRequester().getReference()).startsWith("PractitionerRole/");
		assertThat(stored.getPerformerFirstRep().getReference()).isEqualTo("HealthcareService/dos-9000002");
		assertThat(stored.hasEncounter()).isFalse();
		assertThat(stored.hasOccurrence()).isFalse();
		String patient = stored.getSubject().getReference();
		Task gatewaysTask = taskFor(gateway, "ServiceRequest/" + stored.getIdElement().getIdPart());
		// The sender named the provider as its Task's owner: kept as the sender's words, never as an owner.
		CarePlan plan = read(gateway, stored.getBasedOnFirstRep().getReference(), CarePlan.class);
		Task sendersTask = read(gateway, plan.getActivityFirstRep().getReference().getReference(), Task.class);
		assertThat(sendersTask.getMeta().getTag(RECORD_KIND, "sender-context")).isNotNull();
		assertThat(sendersTask.hasOwner()).isFalse();
		assertThat(((org.hl7.fhir.r4.model.Reference) sendersTask.getExtensionByUrl("https://spgateway.org/fhir/StructureDefinition/sp-sender-owner")
				.getValue()).getIdentifier().getValue()).isEqualTo("X99901");
		assertThat(search(gateway, QUEUE + "&patient=" + patient, Task.class)).extracting(t -> t.getIdElement().getIdPart())
				.containsExactly(gatewaysTask.getIdElement().getIdPart());
		// Its focus on the referral too: Task?focus=ServiceRequest/[id] finds only the gateway's Task (taskFor asserts exactly one).
		assertThat(sendersTask.hasFocus()).isFalse();
		assertThat(((org.hl7.fhir.r4.model.Reference) sendersTask.getExtensionByUrl("https://spgateway.org/fhir/StructureDefinition/sp-sender-focus")
				.getValue()).getReference()).isEqualTo("ServiceRequest/" + stored.getIdElement().getIdPart());
		assertThat(sendersTask.getFor().getReference()).isEqualTo(patient);
		assertThat(search(gateway, "Task?patient=" + patient + "&_tag:not=" + RECORD_KIND + "|sender-context", Task.class))
				.extracting(t -> t.getIdElement().getIdPart()).containsExactly(gatewaysTask.getIdElement().getIdPart());
		for (String type : List.of("Flag", "RelatedPerson", "Location", "QuestionnaireResponse", "Consent", "Condition", "CarePlan")) {
			assertThat(stored.getSupportingInfo().stream().map(r -> r.getReference()).anyMatch(r -> r.startsWith(type + "/"))
					|| stored.getLocationReferenceFirstRep().getReference().startsWith(type + "/")
					|| stored.getBasedOnFirstRep().getReference().startsWith(type + "/")).as(type).isTrue();
		}
		assertThat(search(gateway, "QuestionnaireResponse?subject=" + patient, org.hl7.fhir.r4.model.QuestionnaireResponse.class)).singleElement()
				.satisfies(qr -> assertThat(qr.getMeta().getTag(RECORD_KIND, "sender-context")).isNotNull());
	}

	@Test
	void theSameMessageResentUnderANewRequestIdGetsTheFirstAnswerAndStoresNothing() {
		Referral referral = new Referral();
		String message = referral.message("referral-new-full.xml", "new");
		HttpResponse<String> first = send(message);
		ServiceRequest stored = accepted(first);

		HttpResponse<String> again = send(message);

		assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
		assertThat(again.body()).isEqualTo(first.body());
		String patient = stored.getSubject().getReference();
		assertThat(search(gateway, "Task?focus=ServiceRequest/" + stored.getIdElement().getIdPart(), Task.class)).hasSize(1);
		assertThat(search(gateway, "CarePlan?patient=" + patient, CarePlan.class)).hasSize(1);
		assertThat(search(gateway, "Observation?patient=" + patient, Observation.class)).hasSize(1);
		assertThat(search(gateway, "ServiceRequest?patient=" + patient, ServiceRequest.class)).hasSize(1);
	}

	@Test
	void theSameReferralInANewMessageIsTheReferralReceivedBefore() {
		Referral referral = new Referral();
		ServiceRequest first = accepted(send(referral.message("referral-new-full.xml", "new")));

		ServiceRequest again = accepted(send(referral.message("referral-new-full.xml", "new")));

		assertThat(again.getIdElement().getIdPart()).isEqualTo(first.getIdElement().getIdPart());
		assertThat(search(gateway, "Observation?patient=" + first.getSubject().getReference(), Observation.class)).hasSize(1);
	}

	// ---------------------------------------------------------------- update, cancel, entered in error

	@Test
	void anUpdateChangesTheReferralAndTellsTheProvider() {
		Referral referral = new Referral();
		ServiceRequest first = accepted(send(referral.message("referral-new-short.json", "new")));

		ServiceRequest updated = accepted(send(referral.with("NOTE", "She would rather be seen at the library.").message("referral-new-short.json",
				"update")));

		assertThat(updated.getIdElement().getIdPart()).isEqualTo(first.getIdElement().getIdPart());
		assertThat(updated.getNoteFirstRep().getText()).isEqualTo("She would rather be seen at the library.");
		assertThat(updated.getMeta().getVersionId()).isEqualTo("2");
		Task task = taskFor(gateway, "ServiceRequest/" + first.getIdElement().getIdPart());
		assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.REQUESTED);
		assertThat(task.getNote()).extracting(n -> n.getText()).anyMatch(t -> t.startsWith("The referrer changed the referral"));
		String patient = first.getSubject().getReference();
		assertThat(search(gateway, "Flag?patient=" + patient, org.hl7.fhir.r4.model.Flag.class)).hasSize(1);
	}

	@Test
	void theGuidesCancellationShapeRevokesTheReferralAndCancelsItsTask() {
		Referral referral = new Referral();
		ServiceRequest first = accepted(send(referral.message("referral-new-full.xml", "new")));
		String organisations = "Organization?name:exact=Northside Wellbeing Partnership";
		int before = search(gateway, organisations, org.hl7.fhir.r4.model.Organization.class).size();

		ServiceRequest revoked = accepted(send(referral.with("STATUS", "revoked").message("referral-revoked.xml", "update")));

		assertThat(revoked.getStatus()).isEqualTo(ServiceRequest.ServiceRequestStatus.REVOKED);
		// What the cancellation left out is what the referral already said.
		assertThat(revoked.getCode().getCodingFirstRep().getCode()).isEqualTo("871731000000106");
		assertThat(revoked.getRequester().getReference()).isEqualTo(first.getRequester().getReference());
		assertThat(revoked.getBasedOnFirstRep().getReference()).isEqualTo(first.getBasedOnFirstRep().getReference());
		assertThat(revoked.getSupportingInfo()).hasSameSizeAs(first.getSupportingInfo());
		Task task = taskFor(gateway, "ServiceRequest/" + first.getIdElement().getIdPart());
		assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.CANCELLED);
		assertThat(task.getStatusReason().getText()).isEqualTo("Cancelled by the referrer");
		// The cancellation's receiver, an Organization with only a name that only the MessageHeader names, is not a new directory entry.
		assertThat(search(gateway, organisations, org.hl7.fhir.r4.model.Organization.class)).hasSize(before);
	}

	@Test
	void aCancellationNamingTheServiceByItsDosIdStillFindsTheReferralByPerformer() {
		Referral referral = new Referral();
		ServiceRequest first = accepted(send(referral.message("referral-new-short.json", "new")));

		accepted(send(referral.with("STATUS", "revoked").message("referral-new-short.json", "update")));

		List<ServiceRequest> found = search(gateway, "ServiceRequest?performer=HealthcareService/dos-9000002&_id=" + first.getIdElement().getIdPart(),
				ServiceRequest.class);
		assertThat(found).singleElement().satisfies(sr -> {
			assertThat(sr.getStatus()).isEqualTo(ServiceRequest.ServiceRequestStatus.REVOKED);
			assertThat(sr.getPerformerFirstRep().getIdentifier().getValue()).isEqualTo("9000002");
		});
	}

	@Test
	void theGuidesEnteredInErrorShapeWithdrawsTheReferral() {
		Referral referral = new Referral();
		ServiceRequest first = accepted(send(referral.message("referral-new-short.json", "new")));

		ServiceRequest withdrawn = accepted(send(referral.message("referral-entered-in-error.json", "delete")));

		assertThat(withdrawn.getStatus()).isEqualTo(ServiceRequest.ServiceRequestStatus.ENTEREDINERROR);
		Task task = taskFor(gateway, "ServiceRequest/" + first.getIdElement().getIdPart());
		assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.CANCELLED);
		assertThat(task.getStatusReason().getText()).isEqualTo("Withdrawn by the referrer (BaRS delete)");
	}

	// ---------------------------------------------------------------- errors as BaRS defines them

	/** The refusal's OperationOutcome, for comparing with its golden file. */
	static OperationOutcome outcome(OperationOutcome.OperationOutcomeIssueComponent issue) {
		return (OperationOutcome) issue.getUserData("outcome");
	}

	static OperationOutcome.OperationOutcomeIssueComponent refusal(HttpResponse<String> response, int status, String code) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.body()).doesNotContain("\"MessageHeader\"").doesNotContain("Exception").doesNotContain("org.spgateway");
		OperationOutcome outcome = Http.parse(response, OperationOutcome.class);
		OperationOutcome.OperationOutcomeIssueComponent issue = outcome.getIssueFirstRep();
		issue.setUserData("outcome", outcome);
		assertThat(issue.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
		assertThat(issue.getDetails().getCodingFirstRep().getSystem()).isEqualTo(ERRORS);
		assertThat(issue.getDetails().getCodingFirstRep().getCode()).isEqualTo(code);
		return issue;
	}

	@Test
	void aBodyThatIsNotAMessageIsRecBadRequest() {
		OperationOutcome.OperationOutcomeIssueComponent issue = refusal(send("{\"resourceType\":\"Bundle\",\"type\":\"collection\"}"), 400,
				"REC_BAD_REQUEST");
		assertThat(issue.getDiagnostics()).isEqualTo("$process-message takes a Bundle of type message; the body is a Bundle of type collection");
		assertThat(issue.getExpression()).extracting(e -> e.getValue()).containsExactly("Bundle.type");
		Golden.assertMatches(getClass(), "bars/refused-not-a-message.json", Map.of(), outcome(issue));
	}

	@Test
	void aCancellationForAReferralNeverReceivedIsRecNotFound() {
		Referral referral = new Referral();
		OperationOutcome.OperationOutcomeIssueComponent issue = refusal(send(referral.with("STATUS", "revoked").message("referral-revoked.xml",
				"update")), 404, "REC_NOT_FOUND");
		assertThat(issue.getDiagnostics()).contains("No referral urn:uuid:" + referral.values.get("UUID_SR") + " has been received from A99901");
	}

	@Test
	void aRequestIdUsedAgainForAnotherMessageIsRecConflict() {
		String requestId = UUID.randomUUID().toString();
		String firstMessage = new Referral().message("referral-new-short.json", "new");
		String first = Referrals.FHIR.newJsonParser().parseResource(Bundle.class, firstMessage).getIdElement().getIdPart();
		accepted(send(firstMessage, "X-Request-Id", requestId));
		Referral other = new Referral();

		OperationOutcome.OperationOutcomeIssueComponent issue = refusal(send(other.message("referral-new-short.json", "new"), "X-Request-Id",
				requestId), 409, "REC_CONFLICT");

		assertThat(issue.getCode()).isEqualTo(OperationOutcome.IssueType.DUPLICATE);
		assertThat(issue.getDiagnostics()).startsWith("X-Request-Id " + requestId + " was already used for a different message");
		Golden.assertMatches(getClass(), "bars/refused-request-id-used.json", Map.of("requestId", requestId, "firstBundle", first), outcome(issue));
		assertThat(search(gateway, "Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|" + other.values.get("NHS"),
				org.hl7.fhir.r4.model.Patient.class)).isEmpty();
	}

	@Test
	void theSameRequestSentTwiceIsRecConflictAsAlreadyProcessed() {
		String requestId = UUID.randomUUID().toString();
		String message = new Referral().message("referral-new-short.json", "new");
		accepted(send(message, "X-Request-Id", requestId));

		OperationOutcome.OperationOutcomeIssueComponent issue = refusal(send(message, "X-Request-Id", requestId), 409, "REC_CONFLICT");

		assertThat(issue.getDiagnostics()).startsWith("This message has already been processed under X-Request-Id " + requestId);
	}

	@Test
	void anIneligiblePersonIsRecUnprocessableEntityAtTheElement() {
		Referral referral = new Referral().with("BIRTH", "2016-01-01");
		OperationOutcome.OperationOutcomeIssueComponent issue = refusal(send(referral.message("referral-new-full.xml", "new")), 422,
				"REC_UNPROCESSABLE_ENTITY");
		assertThat(issue.getDiagnostics()).contains("this service accepts ages 16");
		assertThat(issue.getExpression()).extracting(e -> e.getValue()).containsExactly("Bundle.entry[1].resource.subject");
		assertThat(search(gateway, "Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|" + referral.values.get("NHS"),
				org.hl7.fhir.r4.model.Patient.class)).isEmpty();
	}

	@Test
	void anUnsupportedMajorVersionIsRecNotSupported() {
		OperationOutcome.OperationOutcomeIssueComponent issue = refusal(send(new Referral().message("referral-new-short.json", "new"), "Accept",
				"application/fhir+json; version=2.0.0"), 406, "REC_NOT_SUPPORTED");
		assertThat(issue.getDiagnostics()).startsWith("This gateway speaks BaRS version 1.x; the Accept header asks for version 2.0.0");
		Golden.assertMatches(getClass(), "bars/refused-version.json", Map.of(), outcome(issue));
	}

	// ---------------------------------------------------------------- the documented examples

	static String docsExample(String name) {
		Path file = Path.of("docs/examples/" + name);
		if (!Files.exists(file)) {
			file = Path.of("../docs/examples/" + name);
		}
		try {
			return Files.readString(file);
		} catch (java.io.IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}

	/** The integration guide's BaRS examples, sent as it shows them: a referral, then its cancellation. */
	@Test
	void theGuidesDocumentedReferralAndCancellationAreAnsweredOk() {
		ServiceRequest referral = accepted(send(docsExample("bars-gp-referral-new.xml")));
		ServiceRequest revoked = accepted(send(docsExample("bars-gp-referral-revoked.xml")));

		assertThat(revoked.getIdElement().getIdPart()).isEqualTo(referral.getIdElement().getIdPart());
		assertThat(revoked.getStatus()).isEqualTo(ServiceRequest.ServiceRequestStatus.REVOKED);
		assertThat(taskFor(gateway, "ServiceRequest/" + referral.getIdElement().getIdPart()).getStatus()).isEqualTo(Task.TaskStatus.CANCELLED);
	}

	/** The guide's older JSON examples, which carry their own ServiceRequest.identifier, still work as documented. */
	@Test
	void theOlderJsonExamplesWithTheirOwnIdentifierAreAnsweredOk() {
		String target = BarsMessageIT.TARGET;
		ServiceRequest referral = accepted(send(docsExample("bars-referral-new.json"), "NHSD-Target-Identifier", target));
		ServiceRequest revoked = accepted(send(docsExample("bars-referral-cancel.json"), "NHSD-Target-Identifier", target));

		assertThat(referral.getIdentifier()).extracting(i -> i.getSystem()).containsExactly("https://fhir.a99902.example.nhs.uk/Id/referral",
				"https://spgateway.org/fhir/Id/bars-referral");
		assertThat(revoked.getIdElement().getIdPart()).isEqualTo(referral.getIdElement().getIdPart());
		assertThat(revoked.getStatus()).isEqualTo(ServiceRequest.ServiceRequestStatus.REVOKED);
	}

	/** Only the sender's context is stored past write handlers: a Subscription in a message is never created by it. */
	@Test
	void aSubscriptionInAMessageIsNotKept() {
		Referral referral = new Referral();
		String endpoint = "https://sender.example.org/notify/" + UUID.randomUUID();
		Bundle message = Referrals.FHIR.newJsonParser().parseResource(Bundle.class, referral.message("referral-new-short.json", "new"));
		message.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(new org.hl7.fhir.r4.model.Subscription()
				.setStatus(org.hl7.fhir.r4.model.Subscription.SubscriptionStatus.REQUESTED).setReason("Everything about everyone")
				.setCriteria("Task?status=requested").setChannel(new org.hl7.fhir.r4.model.Subscription.SubscriptionChannelComponent()
						.setType(org.hl7.fhir.r4.model.Subscription.SubscriptionChannelType.RESTHOOK).setEndpoint(endpoint)));
		int last = message.getEntry().size() - 1;

		HttpResponse<String> response = send(Referrals.json(message));

		accepted(response);
		assertThat(entry(Http.parse(response, Bundle.class), OperationOutcome.class).getIssue()).extracting(i -> i.getDiagnostics())
				.contains("Bundle.entry[" + last + "] (Subscription) was not kept: the gateway does not take Subscription resources in a referral"
						+ " message; references to it keep only their identifier and display");
		assertThat(search(gateway, "Subscription?url=" + endpoint, org.hl7.fhir.r4.model.Subscription.class)).isEmpty();
	}
}
