package org.spgateway.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SandboxGateway;

/** The provider's side of a referral, through the API only: the whole journey, and every way a Task change is refused. */
class ReferralLifecycleIT {

	static final GatewayServer GATEWAY = SandboxGateway.get();
	static final String BS = "https://spgateway.org/fhir/CodeSystem/sp-business-status";

	static Stream<Arguments> channels() {
		return Stream.of(Arguments.of("REST", (Function<GatewayServer, Journey>) Journey::referredByRest),
				Arguments.of("BaRS", (Function<GatewayServer, Journey>) Journey::referredByBars));
	}

	@ParameterizedTest(name = "referred by {0}")
	@MethodSource("channels")
	void aReferralIsWorkedFromAcceptanceToDischargeAndTheReferralCompletes(String channel, Function<GatewayServer, Journey> refer) {
		Journey j = refer.apply(GATEWAY);
		String task = j.task();

		j.step(task, "accept.json");
		j.step(task, "contacted.json");
		j.step(task, "first-appointment-booked.json");
		j.step(task, "did-not-attend.json");
		j.step(task, "first-appointment-booked.json");
		j.step(task, "first-appointment-attended.json");
		j.values.put("BASELINE", j.create("QuestionnaireResponse", "wellbeing-star-baseline.json"));
		j.step(task, "assessed.json");
		j.step(task, "plan-agreed.json");

		// Onward referral with buddying to a community group that has no system of its own.
		j.values.put("ONWARD_REF", "ONW-" + UUID.randomUUID());
		String onward = j.create("ServiceRequest", "onward-referral.json");
		String onwardTask = j.taskOf("ServiceRequest/" + onward);
		Task sub = j.read("Task/" + onwardTask, Task.class);
		assertThat(sub.getPartOfFirstRep().getReference()).isEqualTo("Task/" + task);
		assertThat(sub.getInputFirstRep().getType().getCodingFirstRep().getCode()).isEqualTo("buddying");
		j.step(task, "onward-referral-made.json");
		j.step(task, "buddying.json");
		// The link worker records what happened at the group, on the group's behalf.
		j.step(onwardTask, "onward-accepted.json", "NHSD-End-User-Organisation", Journey.PROVIDER);
		Task attended = j.step(onwardTask, "onward-attended.json", "NHSD-End-User-Organisation", Journey.PROVIDER);
		assertThat(attended.getBusinessStatus().getCodingFirstRep().getCode()).isEqualTo("attended");
		Provenance onBehalf = latestProvenance(j, "Task/" + onwardTask);
		assertThat(onBehalf.getAgentFirstRep().getWho().getIdentifier().getValue()).isEqualTo("X99901");
		assertThat(onBehalf.getAgentFirstRep().getOnBehalfOf().getReference()).isEqualTo(sub.getOwner().getReference());

		j.step(task, "signposting.json");
		j.values.put("REVIEW", j.create("QuestionnaireResponse", "wellbeing-star-review.json"));
		j.step(task, "review.json");
		Task discharged = j.step(task, "discharge.json");

		assertThat(discharged.getStatus()).isEqualTo(Task.TaskStatus.COMPLETED);
		assertThat(discharged.getOutput()).extracting(o -> o.getType().getCodingFirstRep().getCode())
				.containsExactlyInAnyOrder("outcome-response", "signposting", "signposting", "outcome-response", "onward-referral");
		assertThat(discharged.getOutput()).filteredOn(o -> "onward-referral".equals(o.getType().getCodingFirstRep().getCode()))
				.extracting(o -> ((Reference) o.getValue()).getReference()).containsExactly("ServiceRequest/" + onward);
		ServiceRequest referral = j.read("ServiceRequest/" + j.referral, ServiceRequest.class);
		assertThat(referral.getStatus()).isEqualTo(ServiceRequest.ServiceRequestStatus.COMPLETED);
		// The discharge's Provenance names both versions it wrote.
		assertThat(latestProvenance(j, "Task/" + task).getTarget()).extracting(Reference::getReference)
				.contains("Task/" + task + "/_history/" + discharged.getMeta().getVersionId())
				.anyMatch(r -> r.startsWith("ServiceRequest/" + j.referral + "/_history/"));

		// Every step is kept in history, in order, and the current one is searchable.
		List<String> steps = j.history(task).stream().filter(Task::hasBusinessStatus).map(t -> t.getBusinessStatus().getCodingFirstRep().getCode())
				.distinct().toList();
		assertThat(steps).containsSubsequence("contacted", "first-appointment-booked", "did-not-attend", "first-appointment-attended", "assessed",
				"plan-agreed", "onward-referral-made", "buddying", "review", "discharged");
		assertThat(j.search("Task?_id=" + task + "&business-status=" + BS + "|discharged", Task.class)).hasSize(1);
		assertThat(j.history(task)).extracting(t -> t.getMeta().getVersionId()).hasSize(14);
	}

	@Test
	void aClientCannotCreateATaskEvenACopyOfAReferralTask() {
		Journey j = Journey.referredByRest(GATEWAY);
		Task copy = j.read("Task/" + j.task(), Task.class);
		copy.setId((String) null);
		HttpResponse<String> response = Http.post(GATEWAY.baseUrl() + "/Task", GatewayServer.fhirContext().newJsonParser().encodeResourceToString(copy));
		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(outcome(response).getIssueFirstRep().getDiagnostics()).startsWith("Tasks are created by the gateway only");
		assertThat(j.search("Task?focus=ServiceRequest/" + j.referral, Task.class)).hasSize(1);
	}

	@Test
	void aForbiddenMoveIs409NamingTheAllowedOnesAndChangesNothing() {
		Journey j = Journey.referredByRest(GATEWAY);
		String task = j.task();
		HttpResponse<String> response = j.patch(task, "discharge.json");
		assertThat(response.statusCode()).isEqualTo(409);
		assertThat(outcome(response).getIssueFirstRep().getDiagnostics())
				.isEqualTo("A Task cannot move from requested to completed. From requested it can move to: accepted, rejected, cancelled, entered-in-error");
		assertThat(outcome(response).getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Task.status");
		assertThat(j.history(task)).hasSize(1);
	}

	@Test
	void holdingWithoutAReasonIs422() {
		Journey j = Journey.referredByRest(GATEWAY);
		String task = j.task();
		j.step(task, "accept.json");
		Task held = j.read("Task/" + task, Task.class);
		held.setStatus(Task.TaskStatus.ONHOLD);
		HttpResponse<String> response = Http.put(GATEWAY.baseUrl() + "/Task/" + task, GatewayServer.fhirContext().newJsonParser().encodeResourceToString(held));
		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(outcome(response).getIssue()).anyMatch(i -> i.getDiagnostics().contains("statusReason"));
		held.setStatusReason(new CodeableConcept().setText("In hospital for two weeks"));
		assertThat(Http.put(GATEWAY.baseUrl() + "/Task/" + task, GatewayServer.fhirContext().newJsonParser().encodeResourceToString(held))
				.statusCode()).isEqualTo(200);
	}

	@Test
	void changingThePersonIs422AndChangesNothing() {
		Journey j = Journey.referredByRest(GATEWAY);
		String task = j.task();
		HttpResponse<String> response = Http.patch(GATEWAY.baseUrl() + "/Task/" + task,
				"[{\"op\":\"replace\",\"path\":\"/for/reference\",\"value\":\"Patient/someone-else\"}]", "application/json-patch+json");
		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(outcome(response).getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Task.for");
		assertThat(j.history(task)).hasSize(1);
	}

	@Test
	void anIdenticalResendStoresNoNewVersion() {
		Journey j = Journey.referredByRest(GATEWAY);
		String task = j.task();
		j.step(task, "accept.json");
		String body = GatewayServer.fhirContext().newJsonParser().encodeResourceToString(j.read("Task/" + task, Task.class));
		HttpResponse<String> again = Http.put(GATEWAY.baseUrl() + "/Task/" + task, body);
		assertThat(again.statusCode()).isEqualTo(200);
		assertThat(again.headers().firstValue("ETag")).hasValue("W/\"2\"");
		assertThat(j.patch(task, "accept.json").statusCode()).isEqualTo(200);
		assertThat(j.history(task)).hasSize(2);
	}

	@Test
	void historySaysHowEachVersionWasWritten() {
		Journey j = Journey.referredByRest(GATEWAY);
		String task = j.task();
		j.step(task, "accept.json");
		Task current = j.read("Task/" + task, Task.class);
		current.setBusinessStatus(new CodeableConcept().addCoding(new Coding(BS, "contacted", "Contacted")));
		assertThat(Http.put(GATEWAY.baseUrl() + "/Task/" + task, GatewayServer.fhirContext().newJsonParser().encodeResourceToString(current))
				.statusCode()).isEqualTo(200);
		HttpResponse<String> history = Http.get(GATEWAY.baseUrl() + "/Task/" + task + "/_history");
		assertThat(bundle(history).getEntry()).extracting(e -> e.getResource().getMeta().getVersionId() + " " + e.getRequest().getMethod().toCode())
				.containsExactly("3 PUT", "2 PATCH", "1 POST");
	}

	@Test
	void transactionAndBatchEntriesMeetTheSameRules() {
		Journey j = Journey.referredByRest(GATEWAY);
		String task = j.task();
		Task completed = j.read("Task/" + task, Task.class);
		completed.setStatus(Task.TaskStatus.COMPLETED);
		Task accepted = j.read("Task/" + task, Task.class);
		accepted.setStatus(Task.TaskStatus.ACCEPTED);
		for (Bundle.BundleType type : List.of(Bundle.BundleType.TRANSACTION, Bundle.BundleType.BATCH)) {
			Bundle forbidden = new Bundle().setType(type);
			forbidden.addEntry().setResource(completed).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Task/" + task);
			HttpResponse<String> response = Http.post(GATEWAY.baseUrl(), GatewayServer.fhirContext().newJsonParser().encodeResourceToString(forbidden));
			if (type == Bundle.BundleType.TRANSACTION) {
				assertThat(response.statusCode()).isEqualTo(409);
			} else {
				assertThat(bundle(response).getEntryFirstRep().getResponse().getStatus()).startsWith("409");
			}
			assertThat(j.history(task)).hasSize(1);
		}
		Bundle allowed = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		allowed.addEntry().setResource(accepted).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Task/" + task);
		HttpResponse<String> response = Http.post(GATEWAY.baseUrl(), GatewayServer.fhirContext().newJsonParser().encodeResourceToString(allowed));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(j.read("Task/" + task, Task.class).getStatus()).isEqualTo(Task.TaskStatus.ACCEPTED);
	}

	@Test
	void aRejectionSuggestingAServiceRevokesTheReferral() {
		Journey j = Journey.referredByRest(GATEWAY);
		String task = j.task();
		Task rejected = j.step(task, "reject.json");
		assertThat(rejected.getStatus()).isEqualTo(Task.TaskStatus.REJECTED);
		ServiceRequest referral = j.read("ServiceRequest/" + j.referral, ServiceRequest.class);
		assertThat(referral.getStatus()).isEqualTo(ServiceRequest.ServiceRequestStatus.REVOKED);
		CodeableConcept why = (CodeableConcept) referral.getExtensionByUrl("http://hl7.org/fhir/StructureDefinition/request-statusReason").getValue();
		assertThat(why.getCodingFirstRep().getCode()).isEqualTo("beyond-remit");
	}

	@Test
	void aRejectionSuggestingAnUnknownServiceIs422() {
		Journey j = Journey.referredByRest(GATEWAY);
		String body = Journey.example("reject.json").replace("\"9000102\"", "\"9999999\"");
		HttpResponse<String> response = Http.patch(GATEWAY.baseUrl() + "/Task/" + j.task(), body, "application/json-patch+json");
		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(outcome(response).getIssueFirstRep().getDiagnostics()).contains("9999999 is not a service in the directory");
		assertThat(j.read("ServiceRequest/" + j.referral, ServiceRequest.class).getStatus()).isEqualTo(ServiceRequest.ServiceRequestStatus.ACTIVE);
	}

	@Test
	void theReferrerCancellingMidJourneyCancelsTheTaskForGood() {
		Journey j = Journey.referredByRest(GATEWAY);
		String task = j.task();
		j.step(task, "accept.json");
		j.step(task, "first-appointment-booked.json");
		ServiceRequest referral = j.read("ServiceRequest/" + j.referral, ServiceRequest.class);
		referral.setStatus(ServiceRequest.ServiceRequestStatus.REVOKED);
		referral.addExtension("http://hl7.org/fhir/StructureDefinition/request-statusReason", new CodeableConcept().setText("Moved away"));
		assertThat(Http.put(GATEWAY.baseUrl() + "/ServiceRequest/" + j.referral, GatewayServer.fhirContext().newJsonParser()
				.encodeResourceToString(referral)).statusCode()).isEqualTo(200);
		assertThat(j.read("Task/" + task, Task.class).getStatus()).isEqualTo(Task.TaskStatus.CANCELLED);
		HttpResponse<String> response = j.patch(task, "first-appointment-attended.json");
		assertThat(response.statusCode()).isEqualTo(422);
		HttpResponse<String> reopen = Http.patch(GATEWAY.baseUrl() + "/Task/" + task, "[{\"op\":\"add\",\"path\":\"/status\",\"value\":\"in-progress\"}]",
				"application/json-patch+json");
		assertThat(reopen.statusCode()).isEqualTo(409);
		assertThat(outcome(reopen).getIssueFirstRep().getDiagnostics()).contains("cancelled is final");
	}

	@Test
	void ofTwoConcurrentUpdatesOneWinsAndTheOtherIs412() {
		Journey j = Journey.referredByRest(GATEWAY);
		String task = j.task();
		String body = j.search("Task?_id=" + task, Task.class).stream().findFirst().map(t -> {
			t.setStatus(Task.TaskStatus.ACCEPTED);
			return GatewayServer.fhirContext().newJsonParser().encodeResourceToString(t);
		}).orElseThrow();
		List<CompletableFuture<HttpResponse<String>>> both = Stream.of(1, 2).map(i -> CompletableFuture.supplyAsync(() ->
				Http.put(GATEWAY.baseUrl() + "/Task/" + task, body.replace("\"accepted\"", i == 1 ? "\"accepted\"" : "\"rejected\"")
						.replace("\"status\":\"rejected\"", "\"status\":\"rejected\",\"statusReason\":{\"coding\":[{\"system\":"
								+ "\"https://spgateway.org/fhir/CodeSystem/sp-rejection-reason\",\"code\":\"duplicate\"}],\"text\":\"Already open\"}"),
						"If-Match", "W/\"1\""))).toList();
		List<Integer> statuses = both.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).sorted().toList();
		assertThat(statuses).containsExactly(200, 412);
		assertThat(j.history(task)).hasSize(2);
	}

	@Test
	void anOrganisationThatIsNeitherOwnerNorOnwardReferrerIsRefused() {
		Journey j = Journey.referredByRest(GATEWAY);
		HttpResponse<String> response = j.patch(j.task(), "accept.json", "NHSD-End-User-Organisation", Journey.b64(
				"{\"resourceType\":\"Organization\",\"identifier\":[{\"system\":\"https://fhir.nhs.uk/Id/ods-organization-code\",\"value\":\"A99902\"}]}"));
		assertThat(response.statusCode()).isEqualTo(403);
		assertThat(outcome(response).getIssueFirstRep().getDiagnostics()).startsWith("Organisation A99902 may not change Task/");
	}

	static Provenance latestProvenance(Journey j, String target) {
		List<Provenance> all = j.search("Provenance?target=" + target + "&_sort=-_lastUpdated&_count=1", Provenance.class);
		assertThat(all).isNotEmpty();
		return all.get(0);
	}

	static OperationOutcome outcome(HttpResponse<String> response) {
		return Http.parse(response, OperationOutcome.class);
	}

	static Bundle bundle(HttpResponse<String> response) {
		return Http.parse(response, Bundle.class);
	}
}
