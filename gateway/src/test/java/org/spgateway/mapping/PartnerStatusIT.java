package org.spgateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.intake.TestNhsNumbers;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.TestTokens;

/**
 * A provider platform's status words (the shipped Casebook partner) on a real referral Task: each word becomes the Task's status and
 * step through the lifecycle rules, so a forbidden move is still 409 and nothing changes; a close says why and what the person was
 * connected to, and the referral follows. The sandbox directory plus test-only Meadowbank Surgery (A99911) and Casebook's provider
 * Brightwater Wellbeing (X99931) with a service covering the practice (DoS 9000031).
 */
class PartnerStatusIT {

	private static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";

	private static final String BRIGHTWATER = "brightwater-casebook";

	private static GatewayServer gateway;

	@BeforeAll
	static void start() {
		// Brightwater's Casebook integration is a client of the test issuer bound to Brightwater (X99931): no demo client acts for it.
		gateway = GatewayServer.start("gateway.sandbox=true", "gateway.security.clients." + BRIGHTWATER + ".role=PROVIDER",
				"gateway.security.clients." + BRIGHTWATER + ".organisations[0].value=X99931",
				"gateway.directory.seed-files=classpath:org/spgateway/mapping/intake/meadow-directory.json,"
						+ "classpath:org/spgateway/mapping/intake/casebook-directory.json");
	}

	@AfterAll
	static void stop() {
		gateway.close();
	}

	/** A new referral to Brightwater's service; its Task's id. */
	private static String referralTask() {
		String nhs = TestNhsNumbers.next();
		HttpResponse<String> patient = Http.post(gateway.baseUrl() + "/Patient", """
				{"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"%s"}],
				 "name":[{"family":"Quinn","given":["Ari"]}],"birthDate":"1975-09-30"}""".formatted(nhs));
		assertThat(patient.statusCode()).as(patient.body()).isEqualTo(201);
		String body = Fixtures.text(PartnerStatusIT.class, "intake/meadow-referral.json").replace("${NHS}", nhs)
				.replace("${REF}", "MDW-A99911-" + UUID.randomUUID()).replace("9000011", "9000031")
				.replace("${REQUESTER}", "{ \"identifier\": { \"system\": \"" + ODS + "\", \"value\": \"A99911\" } }");
		HttpResponse<String> created = Http.post(gateway.baseUrl() + "/ServiceRequest", body, "Prefer", "return=representation");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		String referral = "ServiceRequest/" + Http.parse(created, ServiceRequest.class).getIdElement().getIdPart();
		List<Task> tasks = Http.parse(Http.get(gateway.baseUrl() + "/Task?focus=" + referral), Bundle.class).getEntry().stream()
				.map(e -> (Task) e.getResource()).toList();
		assertThat(tasks).hasSize(1);
		assertThat(tasks.get(0).getOwner().getIdentifier().getValue()).isEqualTo("X99931");
		return tasks.get(0).getIdElement().getIdPart();
	}

	private static HttpResponse<String> say(String task, String partner, String word, String note) {
		String parameters = "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"partner\",\"valueString\":\"" + partner + "\"},"
				+ "{\"name\":\"status\",\"valueCode\":\"" + word + "\"}" + (note == null ? "" : ",{\"name\":\"note\",\"valueString\":\"" + note + "\"}")
				+ "]}";
		return Http.post(gateway.baseUrl() + "/Task/" + task + "/$partner-status", parameters);
	}

	private static Task read(String task) {
		return Http.parse(Http.get(gateway.baseUrl() + "/Task/" + task), Task.class);
	}

	private static String diagnostics(HttpResponse<String> response) {
		return Http.parse(response, OperationOutcome.class).getIssueFirstRep().getDiagnostics();
	}

	@Test
	void casebooksWordsMoveTheTaskThroughItsLifecycleAndACloseSaysWhyAndClosesTheReferral() {
		String task = referralTask();

		HttpResponse<String> allocated = say(task, "casebook-provider", "ALLOCATED", null);
		assertThat(allocated.statusCode()).as(allocated.body()).isEqualTo(200);
		assertThat(Http.parse(allocated, Task.class).getStatus()).isEqualTo(TaskStatus.ACCEPTED);

		HttpResponse<String> contact = say(task, "casebook-provider", "FIRST_CONTACT", null);
		assertThat(contact.statusCode()).as(contact.body()).isEqualTo(200);
		assertThat(read(task).getStatus()).isEqualTo(TaskStatus.INPROGRESS);
		assertThat(read(task).getBusinessStatus().getCodingFirstRep().getCode()).isEqualTo("contacted");

		HttpResponse<String> dna = say(task, "casebook-provider", "DNA", null);
		assertThat(dna.statusCode()).as(dna.body()).isEqualTo(200);
		assertThat(read(task).getStatus()).isEqualTo(TaskStatus.INPROGRESS);
		assertThat(read(task).getBusinessStatus().getCodingFirstRep().getCode()).isEqualTo("did-not-attend");

		HttpResponse<String> closed = say(task, "casebook-provider", "CLOSED_NOT_ENGAGED", "Three appointments missed; no answer to calls.");
		assertThat(closed.statusCode()).as(closed.body()).isEqualTo(200);
		Task after = read(task);
		assertThat(after.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(after.getStatusReason().getText()).isEqualTo("Three appointments missed; no answer to calls.");
		assertThat(after.getBusinessStatus().getCodingFirstRep().getCode()).isEqualTo("not-engaged");
		assertThat(after.getOutput()).anySatisfy(o -> {
			assertThat(o.getType().getCodingFirstRep().getCode()).isEqualTo("no-onward-connection");
			assertThat(o.getValue().primitiveValue()).isEqualTo("Three appointments missed; no answer to calls.");
		});
		ServiceRequest referral = Http.parse(Http.get(gateway.baseUrl() + "/" + after.getFocus().getReference()), ServiceRequest.class);
		assertThat(referral.getStatus()).isEqualTo(ServiceRequest.ServiceRequestStatus.COMPLETED);

		// A closed case cannot be reopened by a word: the lifecycle's 409, and nothing changes.
		String version = after.getMeta().getVersionId();
		HttpResponse<String> reopened = say(task, "casebook-provider", "ALLOCATED", null);
		assertThat(reopened.statusCode()).as(reopened.body()).isEqualTo(409);
		assertThat(diagnostics(reopened)).contains("A Task cannot move from failed to accepted");
		assertThat(read(task).getMeta().getVersionId()).isEqualTo(version);
	}

	@Test
	void aWordThatWouldSkipAStepIsTheLifecycles409AndChangesNothing() {
		String task = referralTask();
		HttpResponse<String> response = say(task, "casebook-provider", "FIRST_CONTACT", null);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(409);
		assertThat(diagnostics(response)).contains("A Task cannot move from requested to in-progress");
		assertThat(read(task).getStatus()).isEqualTo(TaskStatus.REQUESTED);
		assertThat(read(task).getMeta().getVersionId()).isEqualTo("1");
	}

	@Test
	void anUnknownWordAPartnerWithoutStatusWordsAndAnotherProvidersTaskAreRefusedInPlainWords() {
		String task = referralTask();
		HttpResponse<String> unknown = say(task, "casebook-provider", "CLOSED_MOVED_AWAY", null);
		assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(422);
		assertThat(diagnostics(unknown)).contains("'CLOSED_MOVED_AWAY' is not a status word of Casebook").contains("ALLOCATED, FIRST_CONTACT");

		HttpResponse<String> meadow = say(task, "meadow-gp", "ALLOCATED", null);
		assertThat(meadow.statusCode()).as(meadow.body()).isEqualTo(422);
		assertThat(diagnostics(meadow)).contains("has no inbound status-update ConceptMap");

		HttpResponse<String> nobody = say(task, "nobody", "ALLOCATED", null);
		assertThat(nobody.statusCode()).as(nobody.body()).isEqualTo(422);
		assertThat(diagnostics(nobody)).contains("There is no partner 'nobody'");
		assertThat(read(task).getMeta().getVersionId()).isEqualTo("1");
	}

	@Test
	void casebookCannotChangeATaskItsProviderDoesNotOwn() {
		// A referral to the sandbox provider X99901 (service 9000002 covers Riverside Surgery, A99901).
		String nhs = TestNhsNumbers.next();
		Http.post(gateway.baseUrl() + "/Patient", """
				{"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"%s"}],
				 "name":[{"family":"Reyes","given":["Kim"]}],"birthDate":"1975-09-30"}""".formatted(nhs));
		String body = Fixtures.text(PartnerStatusIT.class, "intake/meadow-referral.json").replace("${NHS}", nhs)
				.replace("${REF}", "R-" + UUID.randomUUID()).replace("9000011", "9000002")
				.replace("${REQUESTER}", "{ \"identifier\": { \"system\": \"" + ODS + "\", \"value\": \"A99901\" } }")
				.replace("https://fhir.meadow-clinical.example/CodeSystem/referral-reason", "http://snomed.info/sct").replace("\"DM2\"", "\"44054006\"")
				.replace("\"ISOL\"", "\"422650009\"").replaceAll("\"extension\": \\[[^]]*\\],\\s*", "");
		HttpResponse<String> created = Http.post(gateway.baseUrl() + "/ServiceRequest", body, "Prefer", "return=representation");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		String referral = "ServiceRequest/" + Http.parse(created, ServiceRequest.class).getIdElement().getIdPart();
		Task task = (Task) Http.parse(Http.get(gateway.baseUrl() + "/Task?focus=" + referral), Bundle.class).getEntryFirstRep().getResource();
		HttpResponse<String> response = say(task.getIdElement().getIdPart(), "casebook-provider", "ALLOCATED", null);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
		assertThat(diagnostics(response)).contains("is owned by X99901, which the partner casebook-provider does not speak for");
	}


	/** Casebook's own flat JSON for a change, as Brightwater's client posts it. */
	private static HttpResponse<String> casebookJson(String json, String token) {
		return Http.post(gateway.baseUrl() + "/$partner-status?partner=casebook-provider", json, "Content-Type", "application/json",
				"Authorization", "Bearer " + token);
	}

	private static String change(String task, String word, String note) {
		return "{\"caseId\":\"CB-2026-00417\",\"referralId\":\"Task/" + task + "\",\"status\":\"" + word + "\","
				+ "\"at\":\"2026-12-04T14:20:00+00:00\"" + (note == null ? "" : ",\"note\":\"" + note + "\"") + "}";
	}

	private static OperationOutcome.OperationOutcomeIssueComponent issue(HttpResponse<String> response) {
		return Http.parse(response, OperationOutcome.class).getIssueFirstRep();
	}

	@Test
	void casebooksOwnJsonStatusChangesMoveTheTaskThroughTheSameLifecycleAndAnIllegalMoveIsThe409() {
		String task = referralTask();
		String token = TestTokens.forClient(BRIGHTWATER);

		HttpResponse<String> skipped = casebookJson(change(task, "FIRST_CONTACT", null), token);
		assertThat(skipped.statusCode()).as(skipped.body()).isEqualTo(409);
		assertThat(issue(skipped).getDiagnostics()).contains("A Task cannot move from requested to in-progress");
		assertThat(read(task).getMeta().getVersionId()).isEqualTo("1");

		HttpResponse<String> allocated = casebookJson(change(task, "ALLOCATED", null), token);
		assertThat(allocated.statusCode()).as(allocated.body()).isEqualTo(200);
		assertThat(Http.parse(allocated, Task.class).getStatus()).isEqualTo(TaskStatus.ACCEPTED);

		HttpResponse<String> contact = casebookJson(change(task, "FIRST_CONTACT", "Spoke by phone; meeting booked."), token);
		assertThat(contact.statusCode()).as(contact.body()).isEqualTo(200);
		assertThat(read(task).getStatus()).isEqualTo(TaskStatus.INPROGRESS);
		assertThat(read(task).getBusinessStatus().getCodingFirstRep().getCode()).isEqualTo("contacted");

		HttpResponse<String> closed = casebookJson(change(task, "CLOSED_ENGAGED", "Joined the walking group; discharged."), token);
		assertThat(closed.statusCode()).as(closed.body()).isEqualTo(200);
		Task after = read(task);
		assertThat(after.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(after.getBusinessStatus().getCodingFirstRep().getCode()).isEqualTo("discharged");
		assertThat(after.getOutput())
				.anySatisfy(o -> assertThat(o.getValue().primitiveValue()).isEqualTo("Joined the walking group; discharged."));
	}

	@Test
	void casebooksJsonThatCannotBeReadIsRefusedNamingItsOwnFieldAndChangesNothing() {
		String task = referralTask();
		String token = TestTokens.forClient(BRIGHTWATER);

		HttpResponse<String> unknown = casebookJson(change(task, "CLOSED_MOVED_AWAY", null), token);
		assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(422);
		assertThat(issue(unknown).getDiagnostics()).contains("'CLOSED_MOVED_AWAY' is not a status word of Casebook");
		assertThat(issue(unknown).getExpression().get(0).getValue()).isEqualTo("status");

		HttpResponse<String> noTask = casebookJson("{\"caseId\":\"CB-1\",\"status\":\"ALLOCATED\"}", token);
		assertThat(noTask.statusCode()).as(noTask.body()).isIn(400, 422);
		assertThat(issue(noTask).getExpression().get(0).getValue()).contains("referralId");

		HttpResponse<String> stranger = casebookJson(change(task, "ALLOCATED", null).replace("\"at\"", "\"worker\":\"J\",\"at\""), token);
		assertThat(stranger.statusCode()).as(stranger.body()).isEqualTo(422);
		assertThat(issue(stranger).getDiagnostics()).contains("worker");

		HttpResponse<String> notJson = casebookJson("status=ALLOCATED", token);
		assertThat(notJson.statusCode()).as(notJson.body()).isEqualTo(400);
		assertThat(read(task).getMeta().getVersionId()).isEqualTo("1");
	}

	@Test
	void theParametersFormStillWorksAtTheSameEndpointWhenTheBodyIsFhir() {
		String task = referralTask();
		String parameters = "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"task\",\"valueReference\":{\"reference\":\"Task/"
				+ task + "\"}},{\"name\":\"status\",\"valueCode\":\"ALLOCATED\"}]}";
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/$partner-status?partner=casebook-provider", parameters,
				"Authorization", "Bearer " + TestTokens.forClient(BRIGHTWATER));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(read(task).getStatus()).isEqualTo(TaskStatus.ACCEPTED);
	}

	@Test
	void aClientThatDoesNotActForCasebookIsForbiddenNamingThePartnerAndChangesNothing() {
		String task = referralTask();
		HttpResponse<String> provider = casebookJson(change(task, "ALLOCATED", null), gateway.tokenFor("demo-provider"));
		assertThat(provider.statusCode()).as(provider.body()).isEqualTo(403);
		assertThat(issue(provider).getCode()).isEqualTo(OperationOutcome.IssueType.FORBIDDEN);
		assertThat(issue(provider).getDiagnostics()).contains("casebook-provider").doesNotContain("Exception");
		assertThat(issue(provider).getExpression().get(0).getValue()).isEqualTo("partner");

		String parameters = "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"partner\",\"valueString\":\"casebook-provider\"},"
				+ "{\"name\":\"status\",\"valueCode\":\"ALLOCATED\"}]}";
		HttpResponse<String> gp = Http.post(gateway.baseUrl() + "/Task/" + task + "/$partner-status", parameters,
				"Authorization", "Bearer " + gateway.tokenFor("demo-gp"));
		assertThat(gp.statusCode()).as(gp.body()).isEqualTo(403);
		assertThat(issue(gp).getDiagnostics()).contains("casebook-provider");
		assertThat(read(task).getMeta().getVersionId()).isEqualTo("1");
		assertThat(read(task).getStatus()).isEqualTo(TaskStatus.REQUESTED);
	}
}
