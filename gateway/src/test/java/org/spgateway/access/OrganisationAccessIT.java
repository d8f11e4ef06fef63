package org.spgateway.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.intake.TestNhsNumbers;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.HookReceiver;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.ReferralWork;

/**
 * Per-organisation access over real HTTP: two GP practices (demo-gp A99901, demo-gp2 A99902) refer to a service of
 * the provider X99901 (demo-provider); each practice sees its own referrals, their Tasks, people and feedback, the
 * provider sees both, a community group neither, through every way data leaves the gateway.
 */
class OrganisationAccessIT {

	private static GatewayServer gateway;
	private static Reference service;
	private static ReferralWork.Referral first;
	private static ReferralWork.Referral second;

	@BeforeAll
	static void start() {
		// contact-within 1 ms: an accepted Task is at once overdue for contact, so $overdue has rows to filter.
		gateway = GatewayServer.start("gateway.sandbox=true", "gateway.workflow.contact-within=1ms",
				"gateway.notifications.require-https=false");
		service = ReferralWork.addProvider(gateway, "X99901");
		first = refer("demo-gp", "A99901");
		second = refer("demo-gp2", "A99902");
	}

	@AfterAll
	static void stop() {
		gateway.close();
	}

	@Test
	void aReferrerReadsItsOwnReferralAndAnotherPracticeGets404ForEveryWayIn() {
		assertThat(get("demo-gp", "ServiceRequest/" + first.referralId()).statusCode()).isEqualTo(200);
		assertThat(get("demo-gp", "Patient/" + first.patientId()).statusCode()).isEqualTo(200);
		assertThat(get("demo-gp", "Task/" + first.taskId()).statusCode()).isEqualTo(200);
		for (String path : List.of("ServiceRequest/" + first.referralId(), "ServiceRequest/" + first.referralId() + "/_history/1",
				"ServiceRequest/" + first.referralId() + "/_history", "Patient/" + first.patientId(), "Task/" + first.taskId(),
				"Task/" + first.taskId() + "/_history")) {
			HttpResponse<String> response = get("demo-gp2", path);
			assertThat(response.statusCode()).as(path).isEqualTo(404);
			assertThat(response.body()).as(path).contains("OperationOutcome").doesNotContain("A99901").doesNotContain("Riverside");
		}
	}

	@Test
	void theProviderSeesBothReferralsAndACommunityGroupNeither() {
		String both = "ServiceRequest?_id=" + first.referralId() + "," + second.referralId();
		assertThat(ids(search("demo-provider", both))).containsExactlyInAnyOrder(first.referralId(), second.referralId());
		assertThat(ids(search("demo-community", both))).isEmpty();
		assertThat(ids(search("demo-gp", both))).containsExactly(first.referralId());
		assertThat(ids(search("demo-gp2", both))).containsExactly(second.referralId());
	}

	@Test
	void countsOnlyCountWhatTheCallerMaySee() {
		String both = "ServiceRequest?_id=" + first.referralId() + "," + second.referralId();
		assertThat(search("demo-gp2", both + "&_summary=count").getTotal()).isEqualTo(1);
		assertThat(search("demo-gp2", both + "&_total=accurate").getTotal()).isEqualTo(1);
		assertThat(search("demo-provider", both + "&_summary=count").getTotal()).isEqualTo(2);
		assertThat(search("demo-community", both + "&_summary=count").getTotal()).isZero();
	}

	@Test
	void includesAndRevincludesBringOnlyWhatTheCallerMaySee() {
		Bundle tasks = search("demo-gp2", "Task?_id=" + first.taskId() + "," + second.taskId() + "&_include=Task:focus&_include=Task:patient");
		assertThat(ids(tasks)).containsExactlyInAnyOrder(second.taskId(), second.referralId(), second.patientId());
		// The first practice's referral refers to its patient; a revinclude from the second practice's patient cannot reach it.
		Bundle people = search("demo-gp2", "Patient?_id=" + first.patientId() + "," + second.patientId()
				+ "&_revinclude=ServiceRequest:subject&_revinclude=Task:patient");
		assertThat(ids(people)).containsExactlyInAnyOrder(second.patientId(), second.referralId(), second.taskId());
		Bundle fromTheFirst = search("demo-gp", "ServiceRequest?_id=" + first.referralId() + "," + second.referralId()
				+ "&_include=ServiceRequest:subject&_revinclude=Task:focus");
		assertThat(ids(fromTheFirst)).containsExactlyInAnyOrder(first.referralId(), first.patientId(), first.taskId());
	}

	@Test
	void aPagingLinkFollowedByAnotherCallerShowsOnlyThatCallersOwn() {
		Bundle page = search("demo-provider", "ServiceRequest?_id=" + first.referralId() + "," + second.referralId() + "&_count=1");
		assertThat(page.getLink("next")).isNotNull();
		String next = gateway.onThisServer(page.getLink("next").getUrl());
		Bundle asProvider = Http.parse(Http.get(next, auth("demo-provider")), Bundle.class);
		assertThat(ids(asProvider)).hasSize(1);
		Bundle asFirstPractice = Http.parse(Http.get(next, auth("demo-gp")), Bundle.class);
		// The first practice's only match is on its first page: its second page is empty, not the provider's.
		assertThat(ids(asFirstPractice)).isEmpty();
	}

	@Test
	void batchEntriesAreAnsweredAsTheCallersOwnReadsAndSearches() {
		String batch = """
				{"resourceType":"Bundle","type":"batch","entry":[
				 {"request":{"method":"GET","url":"ServiceRequest/%s"}},
				 {"request":{"method":"GET","url":"ServiceRequest?_id=%s,%s"}},
				 {"request":{"method":"GET","url":"Patient/%s"}}]}
				""".formatted(first.referralId(), first.referralId(), second.referralId(), second.patientId());
		HttpResponse<String> response = Http.post(gateway.baseUrl(), batch, auth("demo-gp2"));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Bundle answer = Http.parse(response, Bundle.class);
		assertThat(answer.getEntry().get(0).getResponse().getStatus()).startsWith("404");
		assertThat(ids((Bundle) answer.getEntry().get(1).getResource())).containsExactly(second.referralId());
		assertThat(answer.getEntry().get(2).getResponse().getStatus()).startsWith("200");
	}

	@Test
	void aConditionalCreateMatchingAnotherPracticesPatientIs404NotThePatient() {
		String nhs = GatewayServer.fhirContext().newJsonParser().parseResource(Patient.class,
				get("demo-gp", "Patient/" + first.patientId()).body()).getIdentifierFirstRep().getValue();
		String patient = get("demo-gp", "Patient/" + first.patientId()).body();
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/Patient", patient.replaceFirst("\"id\":\"[^\"]+\",", ""),
				"If-None-Exist", "identifier=https://fhir.nhs.uk/Id/nhs-number|" + nhs, auth("demo-gp2")[0], auth("demo-gp2")[1]);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
		assertThat(response.body()).doesNotContain(first.patientId());
	}

	@Test
	void aPracticeSendingAPersonAlreadyOnRecordGetsThatPersonAndMayReadThemFromThenOn() {
		ReferralWork.Referral mine = refer("demo-gp", "A99901");
		String person = get("demo-gp", "Patient/" + mine.patientId()).body().replaceFirst("\"id\":\"[^\"]+\",", "");
		assertThat(get("demo-gp2", "Patient/" + mine.patientId()).statusCode()).isEqualTo(404);
		HttpResponse<String> sent = Http.post(gateway.baseUrl() + "/Patient", person, auth("demo-gp2"));
		assertThat(sent.statusCode()).as(sent.body()).isIn(200, 201);
		assertThat(Http.parse(sent, Patient.class).getIdElement().getIdPart()).isEqualTo(mine.patientId());
		assertThat(get("demo-gp2", "Patient/" + mine.patientId()).statusCode()).isEqualTo(200);
		// The person, not the other practice's referral about them.
		assertThat(get("demo-gp2", "ServiceRequest/" + mine.referralId()).statusCode()).isEqualTo(404);
	}

	@Test
	void onlyTheOwnerMovesTheTaskAndOnlyTheRequesterChangesTheReferral() {
		ReferralWork.Referral third = refer("demo-gp", "A99901");
		Task task = Http.parse(get("demo-provider", "Task/" + third.taskId()), Task.class);
		task.setStatus(TaskStatus.ACCEPTED);
		HttpResponse<String> byReferrer = Http.put(gateway.baseUrl() + "/Task/" + third.taskId(), Http.json(task), auth("demo-gp"));
		assertThat(byReferrer.statusCode()).as(byReferrer.body()).isEqualTo(403);
		assertThat(outcome(byReferrer).getIssueFirstRep().getDiagnostics()).contains("only the Task's owner");
		assertThat(Http.put(gateway.baseUrl() + "/Task/" + third.taskId(), Http.json(task), auth("demo-gp2")).statusCode()).isEqualTo(404);
		assertThat(Http.put(gateway.baseUrl() + "/Task/" + third.taskId(), Http.json(task), auth("demo-community")).statusCode()).isEqualTo(404);
		HttpResponse<String> byOwner = Http.put(gateway.baseUrl() + "/Task/" + third.taskId(), Http.json(task), auth("demo-provider"));
		assertThat(byOwner.statusCode()).as(byOwner.body()).isEqualTo(200);

		ServiceRequest referral = Http.parse(get("demo-gp", "ServiceRequest/" + third.referralId()), ServiceRequest.class);
		referral.setStatus(ServiceRequest.ServiceRequestStatus.REVOKED);
		referral.addExtension("http://hl7.org/fhir/StructureDefinition/request-statusReason", new CodeableConcept().setText("Moved away"));
		String revoked = Http.json(referral);
		HttpResponse<String> byProvider = Http.put(gateway.baseUrl() + "/ServiceRequest/" + third.referralId(), revoked, auth("demo-provider"));
		assertThat(byProvider.statusCode()).as(byProvider.body()).isEqualTo(403);
		assertThat(outcome(byProvider).getIssueFirstRep().getDiagnostics()).contains("Only the organisation that made the referral");
		assertThat(Http.put(gateway.baseUrl() + "/ServiceRequest/" + third.referralId(), revoked, auth("demo-gp2")).statusCode()).isEqualTo(404);
		HttpResponse<String> byRequester = Http.put(gateway.baseUrl() + "/ServiceRequest/" + third.referralId(), revoked, auth("demo-gp"));
		assertThat(byRequester.statusCode()).as(byRequester.body()).isEqualTo(200);
		assertThat(Http.parse(get("demo-provider", "Task/" + third.taskId()), Task.class).getStatus()).isEqualTo(TaskStatus.CANCELLED);
	}

	@Test
	void operationsAnswerOnlyForWhatTheCallerMaySee() {
		assertThat(get("demo-gp", "ServiceRequest/" + first.referralId() + "/$outcomes").statusCode()).isEqualTo(200);
		assertThat(get("demo-gp2", "ServiceRequest/" + first.referralId() + "/$outcomes").statusCode()).isEqualTo(404);
		ReferralWork.Referral a = refer("demo-gp", "A99901");
		ReferralWork.Referral b = refer("demo-gp2", "A99902");
		for (String task : List.of(a.taskId(), b.taskId())) {
			Task t = Http.parse(get("demo-provider", "Task/" + task), Task.class);
			t.setStatus(TaskStatus.ACCEPTED);
			assertThat(Http.put(gateway.baseUrl() + "/Task/" + task, Http.json(t), auth("demo-provider")).statusCode()).isEqualTo(200);
		}
		List<String> provider = overdueTasks("demo-provider");
		assertThat(provider).contains(a.taskId(), b.taskId());
		List<String> practice = overdueTasks("demo-gp2");
		assertThat(practice).contains(b.taskId()).doesNotContain(a.taskId());
		assertThat(overdueTasks("demo-community")).isEmpty();
	}

	@Test
	void aSubscriptionDeliversOnlyWhatItsOwnerMayRead() {
		try (HookReceiver receiver = HookReceiver.start()) {
			subscribe("demo-gp", receiver.url("/first"));
			subscribe("demo-gp2", receiver.url("/second"));
			ReferralWork.Referral a = refer("demo-gp", "A99901");
			ReferralWork.Referral b = refer("demo-gp2", "A99902");
			receiver.await(r -> r.path().startsWith("/first") && r.path().contains(a.taskId()), 1, Duration.ofSeconds(30));
			receiver.await(r -> r.path().startsWith("/second") && r.path().contains(b.taskId()), 1, Duration.ofSeconds(30));
			assertThat(receiver.received(r -> r.path().startsWith("/second") && r.path().contains(a.taskId()))).isEmpty();
			assertThat(receiver.received(r -> r.path().startsWith("/first") && r.path().contains(b.taskId()))).isEmpty();
		}
	}

	@Test
	void feedbackToTheReferrerIsTheReferrersAndTheProvidersOnly() {
		ReferralWork.Referral a = refer("demo-gp", "A99901");
		Task t = Http.parse(get("demo-provider", "Task/" + a.taskId()), Task.class);
		t.setStatus(TaskStatus.ACCEPTED);
		assertThat(Http.put(gateway.baseUrl() + "/Task/" + a.taskId(), Http.json(t), auth("demo-provider")).statusCode()).isEqualTo(200);
		String query = "Communication?based-on=ServiceRequest/" + a.referralId();
		assertThat(ids(search("demo-gp", query))).isNotEmpty();
		assertThat(ids(search("demo-provider", query))).isNotEmpty();
		assertThat(ids(search("demo-gp2", query))).isEmpty();
		assertThat(ids(search("demo-community", query))).isEmpty();
	}

	@Test
	void anAdministratorReadsClinicalDataOnlyByBreakGlassAndACommissionerNotAtAll() {
		String referral = "ServiceRequest/" + first.referralId();
		assertThat(get("demo-admin", referral).statusCode()).isEqualTo(404);
		assertThat(Http.get(gateway.baseUrl() + "/" + referral, auth("demo-admin")[0], auth("demo-admin")[1], "X-Break-Glass",
				"Safeguarding review requested by the practice").statusCode()).isEqualTo(200);
		assertThat(get("demo-admin", "Organization?identifier=" + NhsIdentifiers.ODS_ORGANIZATION + "|X99901").statusCode()).isEqualTo(200);
		assertThat(get("demo-commissioner", referral).statusCode()).isEqualTo(404);
		assertThat(ids(search("demo-commissioner", "HealthcareService?_count=100"))).isNotEmpty();
		HttpResponse<String> write = Http.post(gateway.baseUrl() + "/Patient", get("demo-gp", "Patient/" + first.patientId()).body(),
				auth("demo-commissioner"));
		assertThat(write.statusCode()).isEqualTo(403);
		assertThat(get("demo-tester", referral).statusCode()).isEqualTo(200);
		for (String client : List.of("demo-admin", "demo-commissioner", "demo-community")) {
			assertThat(get(client, "metadata").statusCode()).as(client).isEqualTo(200);
		}
	}

	@Test
	void partnersCannotChangeTheDirectory() {
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/Organization",
				"{\"resourceType\":\"Organization\",\"name\":\"Not in the directory\"}", auth("demo-provider"));
		assertThat(response.statusCode()).isEqualTo(403);
		assertThat(outcome(response).getIssueFirstRep().getDiagnostics()).contains("administrators");
	}

	/** A practice refers a new person, sending the person and the referral with its own token, as a GP system does. */
	private static ReferralWork.Referral refer(String client, String ods) {
		String nhs = TestNhsNumbers.next();
		String patient = Fixtures.text(ReferralWork.class, "patient.json").replace("${NHS}", nhs);
		HttpResponse<String> person = Http.post(gateway.baseUrl() + "/Patient", patient, auth(client));
		assertThat(person.statusCode()).as(person.body()).isEqualTo(201);
		String patientId = Http.parse(person, Patient.class).getIdElement().getIdPart();
		ServiceRequest referral = GatewayServer.fhirContext().newJsonParser().parseResource(ServiceRequest.class,
				Fixtures.text(ReferralWork.class, "referral.json").replace("${REF}", "REF-" + UUID.randomUUID()).replace("${PATIENT}", patientId));
		referral.getRequester().setDisplay(null).getIdentifier().setValue(ods);
		referral.addPerformer(service.copy());
		HttpResponse<String> sent = Http.post(gateway.baseUrl() + "/ServiceRequest", Http.json(referral), auth(client));
		assertThat(sent.statusCode()).as(sent.body()).isEqualTo(201);
		String referralId = Http.parse(sent, ServiceRequest.class).getIdElement().getIdPart();
		Bundle tasks = search(client, "Task?focus=ServiceRequest/" + referralId);
		assertThat(tasks.getEntry()).hasSize(1);
		return new ReferralWork.Referral(referralId, patientId, tasks.getEntryFirstRep().getResource().getIdElement().getIdPart(), null);
	}

	private static void subscribe(String client, String endpoint) {
		Subscription sub = new Subscription();
		sub.setStatus(Subscription.SubscriptionStatus.REQUESTED).setReason("Work for the test").setCriteria("Task?owner:identifier="
				+ NhsIdentifiers.ODS_ORGANIZATION + "|X99901");
		sub.getChannel().setType(Subscription.SubscriptionChannelType.RESTHOOK).setEndpoint(endpoint).setPayload("application/fhir+json");
		HttpResponse<String> created = Http.post(gateway.baseUrl() + "/Subscription", Http.json(sub), auth(client));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
	}

	private static List<String> overdueTasks(String client) {
		HttpResponse<String> response = get(client, "Task/$overdue?_count=1000");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Http.parse(response, Parameters.class).getParameter().stream().filter(p -> p.getName().equals("overdue"))
				.flatMap(p -> p.getPart().stream()).filter(p -> p.getName().equals("task"))
				.map(p -> ((Reference) p.getValue()).getReferenceElement().getIdPart()).collect(Collectors.toList());
	}

	private static String[] auth(String client) {
		return new String[] {"Authorization", "Bearer " + gateway.tokenFor(client)};
	}

	private static HttpResponse<String> get(String client, String path) {
		return Http.get(gateway.baseUrl() + "/" + path, auth(client));
	}

	private static Bundle search(String client, String query) {
		HttpResponse<String> response = get(client, query);
		assertThat(response.statusCode()).as(query + ": " + response.body()).isEqualTo(200);
		return Http.parse(response, Bundle.class);
	}

	private static List<String> ids(Bundle bundle) {
		return bundle.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList();
	}

	private static OperationOutcome outcome(HttpResponse<String> response) {
		return Http.parse(response, OperationOutcome.class);
	}
}
