package org.spgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.spgateway.intake.Referrals.diagnostics;
import static org.spgateway.intake.Referrals.json;
import static org.spgateway.intake.Referrals.location;
import static org.spgateway.intake.Referrals.outcome;
import static org.spgateway.intake.Referrals.post;
import static org.spgateway.intake.Referrals.read;
import static org.spgateway.intake.Referrals.referralIn;
import static org.spgateway.intake.Referrals.search;
import static org.spgateway.intake.Referrals.taskFor;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SandboxGateway;

/**
 * Referral intake through FHIR transactions and REST against the sandbox directory: routing, the
 * stored state (ServiceRequest, Task, Provenance, Patient, Conditions), every kind of refusal,
 * duplicates and conflicts, updates and cancellation.
 */
class ReferralIntakeIT {

	static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	static final String DOS = "https://fhir.nhs.uk/Id/dos-service-id";
	static final String NHS = "https://fhir.nhs.uk/Id/nhs-number";
	static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = SandboxGateway.get();
	}

	static HttpResponse<String> post(GatewayServer gateway, Bundle transaction, String... headers) {
		String[] all = new String[headers.length + 2];
		all[0] = "Prefer";
		all[1] = "return=OperationOutcome";
		System.arraycopy(headers, 0, all, 2, headers.length);
		return Http.post(gateway.baseUrl(), json(transaction), all);
	}

	static HttpResponse<String> send(Referrals.Values v) {
		return post(gateway, v.transaction());
	}

	static Bundle withPerformer(Bundle transaction, String dosId) {
		referralIn(transaction).addPerformer(new Reference().setIdentifier(new Identifier().setSystem(DOS).setValue(dosId)));
		return transaction;
	}

	// ---------------------------------------------------------------- transaction path

	@Test
	void transactionIsRoutedToTheOnlyServiceCoveringThePracticeAndCreatesTheWorkItem() {
		Referrals.Values v = new Referrals.Values();
		Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
		HttpResponse<String> response = send(v);

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Bundle answer = Http.parse(response, Bundle.class);
		assertThat(answer.getEntry()).extracting(e -> e.getResponse().getStatus()).containsExactly("201 Created", "201 Created", "201 Created");
		assertThat(diagnostics((OperationOutcome) answer.getEntry().get(2).getResponse().getOutcome()))
				.contains("Referral accepted for Long-term conditions link worker service (DoS 9000001, Northside Wellbeing Partnership)")
				.contains("work queue of Northside Wellbeing Partnership (X99901)");

		String referralLocation = location(response, 2);
		ServiceRequest referral = read(gateway, referralLocation, ServiceRequest.class);
		String patientId = location(response, 0).substring("Patient/".length());
		assertThat(referral.getSubject().getReference()).isEqualTo("Patient/" + patientId);
		assertThat(referral.getSubject().getIdentifier().getValue()).isEqualTo(v.nhs);
		assertThat(referral.getRequester().getReference()).isEqualTo("Organization/ods-A99902");
		assertThat(referral.getPerformerFirstRep().getReference()).isEqualTo("HealthcareService/dos-9000001");
		assertThat(referral.getPerformerFirstRep().getIdentifier().getValue()).isEqualTo("9000001");
		assertThat(referral.getExtensionByUrl("https://spgateway.org/fhir/StructureDefinition/sp-referral-source").getValue())
				.isInstanceOfSatisfying(Coding.class, c -> assertThat(c.getCode()).isEqualTo("gp"));
		assertThat(referral.getReasonReferenceFirstRep().getReference()).isEqualTo(location(response, 1));
		assertThat(read(gateway, location(response, 1), Condition.class).getSubject().getReference()).isEqualTo("Patient/" + patientId);

		Task task = taskFor(gateway, referralLocation);
		assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.REQUESTED);
		assertThat(task.getIntent()).isEqualTo(Task.TaskIntent.ORDER);
		assertThat(task.getCode().getCodingFirstRep().getSystem()).isEqualTo("http://hl7.org/fhir/CodeSystem/task-code");
		assertThat(task.getCode().getCodingFirstRep().getCode()).isEqualTo("fulfill");
		assertThat(task.getFocus().getReference()).isEqualTo(referralLocation);
		assertThat(task.getFor().getReference()).isEqualTo("Patient/" + patientId);
		assertThat(task.getRequester().getIdentifier().getValue()).isEqualTo("A99902");
		assertThat(task.getOwner().getReference()).isEqualTo("Organization/ods-X99901");
		assertThat(task.getOwner().getIdentifier().getSystem()).isEqualTo(ODS);
		assertThat(task.getOwner().getIdentifier().getValue()).isEqualTo("X99901");
		assertThat(task.getAuthoredOn().toInstant()).isAfterOrEqualTo(before);
		// Service 9000001 answers within 5 days (sp-response-time).
		assertThat(Duration.between(task.getAuthoredOn().toInstant(), task.getRestriction().getPeriod().getEnd().toInstant())).isEqualTo(Duration.ofDays(5));

		Provenance provenance = search(gateway, "Provenance?target=" + referralLocation, Provenance.class).get(0);
		assertThat(provenance.getTarget()).extracting(Reference::getReference)
				.containsExactly(referralLocation + "/_history/1", "Task/" + task.getIdElement().getIdPart() + "/_history/1");
		assertThat(provenance.getAgentFirstRep().getWho().getIdentifier().getValue()).isEqualTo("A99902");
		assertThat(provenance.getExtensionByUrl("https://spgateway.org/fhir/StructureDefinition/sp-message-context").getExtensionByUrl("channel")
				.getValue().primitiveValue()).isEqualTo("transaction");

		// The Task the gateway wrote meets the gateway's own Task profile.
		HttpResponse<String> validation = Http.post(gateway.baseUrl() + "/Task/$validate", json(task));
		assertThat(Http.parse(validation, OperationOutcome.class).getIssue()).noneMatch(i -> i.getSeverity() == IssueSeverity.ERROR);
	}

	@Test
	void severalServicesCoveringThePracticeWithNoWayToChooseIsRefusedNamingThem() {
		Referrals.Values v = new Referrals.Values();
		v.practice = "A99901";
		HttpResponse<String> response = send(v);

		assertThat(response.statusCode()).isEqualTo(422);
		OperationOutcome outcome = outcome(response);
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("No single route").contains("Long-term conditions link worker service")
				.contains("General social prescribing service").contains("Name one in ServiceRequest.performer");
		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Bundle.entry[2].resource.performer");
		assertThat(outcome.getIssue()).filteredOn(i -> i.getSeverity() == IssueSeverity.INFORMATION)
				.extracting(i -> i.getDetails().getCodingFirstRep().getCode()).containsExactlyInAnyOrder("9000001", "9000002");
		assertNothingStoredFor(v);
	}

	@Test
	void serviceNamedByDosIdIsTheTarget() {
		Referrals.Values v = new Referrals.Values();
		v.practice = "A99901";
		HttpResponse<String> response = post(gateway, withPerformer(v.transaction(), "9000002"));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		ServiceRequest referral = read(gateway, location(response, 2), ServiceRequest.class);
		assertThat(referral.getPerformer()).hasSize(1);
		assertThat(referral.getPerformerFirstRep().getReference()).isEqualTo("HealthcareService/dos-9000002");
		assertThat(taskFor(gateway, location(response, 2)).getOwner().getIdentifier().getValue()).isEqualTo("X99901");
	}

	@Test
	void theSameReferralSentAgainReturnsTheFirstOutcomeAndStoresNothingNew() {
		Referrals.Values v = new Referrals.Values();
		HttpResponse<String> first = send(v);
		assertThat(first.statusCode()).isEqualTo(200);

		// Sent again as a client rebuilding its Bundle would: new fullUrls, and the Condition with no identifier.
		HttpResponse<String> again = post(gateway, withNewFullUrls(v.transaction()));

		assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
		assertThat(location(again, 2)).isEqualTo(location(first, 2));
		assertThat(location(again, 1)).as("the Condition sent with it the first time").isEqualTo(location(first, 1));
		assertThat(location(again, 0)).isEqualTo(location(first, 0));
		Bundle answer = Http.parse(again, Bundle.class);
		assertThat(answer.getEntry()).extracting(e -> e.getResponse().getStatus()).containsExactly("200 OK", "200 OK", "200 OK");
		assertThat(diagnostics((OperationOutcome) answer.getEntry().get(1).getResponse().getOutcome())).contains("Received before as "
				+ location(first, 1));
		assertThat(search(gateway, "Condition?" + location(first, 0).replace("Patient/", "patient="), Condition.class)).hasSize(1);
		assertThat(search(gateway, "ServiceRequest?identifier=" + "https://fhir.a99901.example.nhs.uk/Id/referral|" + v.ref, ServiceRequest.class)).hasSize(1);
		assertThat(search(gateway, "Task?focus=" + location(first, 2), Task.class)).hasSize(1);
		assertThat(search(gateway, "Patient?identifier=" + NHS + "|" + v.nhs, Patient.class)).hasSize(1);
		assertThat(read(gateway, location(first, 2), ServiceRequest.class).getMeta().getVersionId()).isEqualTo("1");
	}

	@Test
	void aConditionChangedInAResentTransactionIsStoredAsANewOne() {
		Referrals.Values v = new Referrals.Values();
		HttpResponse<String> first = send(v);
		Bundle changed = v.transaction();
		((Condition) changed.getEntry().get(1).getResource()).setRecordedDateElement(new org.hl7.fhir.r4.model.DateTimeType("2024-03-03"));

		HttpResponse<String> again = post(gateway, changed);

		assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
		assertThat(location(again, 2)).isEqualTo(location(first, 2));
		assertThat(location(again, 1)).as("not the same Condition").isNotEqualTo(location(first, 1));
		assertThat(Http.parse(again, Bundle.class).getEntry().get(1).getResponse().getStatus()).isEqualTo("201 Created");
	}

	/** The same transaction with every fullUrl (and reference to it) replaced by a new urn:uuid. */
	private static Bundle withNewFullUrls(Bundle transaction) {
		String json = json(transaction);
		for (Bundle.BundleEntryComponent e : transaction.getEntry()) {
			json = json.replace(e.getFullUrl(), "urn:uuid:" + java.util.UUID.randomUUID());
		}
		return GatewayServer.fhirContext().newJsonParser().parseResource(Bundle.class, json);
	}

	@Test
	void aDifferentReferralUnderAnIdentifierAlreadyUsedIsAConflict() {
		Referrals.Values v = new Referrals.Values();
		HttpResponse<String> first = send(v);
		assertThat(first.statusCode()).isEqualTo(200);

		Bundle changed = v.transaction();
		referralIn(changed).getNoteFirstRep().setText("Something else entirely");
		HttpResponse<String> conflict = post(gateway, changed);

		assertThat(conflict.statusCode()).isEqualTo(409);
		assertThat(outcome(conflict).getIssueFirstRep().getDiagnostics()).contains("was already used for a different referral")
				.contains(location(first, 2));
		assertThat(search(gateway, "Task?focus=" + location(first, 2), Task.class)).hasSize(1);
		assertThat(search(gateway, "Condition?patient=" + location(first, 0), Condition.class)).hasSize(1);
	}

	// ---------------------------------------------------------------- refusals

	@Test
	void ineligibleByAgeIsRefusedInPlainWordsWithEligibleAlternativesAndNothingIsStored() {
		Referrals.Values v = new Referrals.Values();
		v.practice = "A99901";
		v.birth = "1988-06-01";
		HttpResponse<String> response = post(gateway, withPerformer(v.transaction(), "9000001"));

		assertThat(response.statusCode()).isEqualTo(422);
		OperationOutcome outcome = outcome(response);
		assertThat(outcome.getIssueFirstRep().getDiagnostics())
				.contains("Long-term conditions link worker service (DoS 9000001, Northside Wellbeing Partnership) cannot take this referral")
				.contains("Aged 38 on 2026-11-20; this service accepts ages 40-74")
				.contains("Services in the directory this person is eligible for: General social prescribing service (DoS 9000002");
		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Bundle.entry[2].resource.subject");
		assertThat(outcome.getIssue()).filteredOn(i -> i.getSeverity() == IssueSeverity.INFORMATION)
				.extracting(i -> i.getDetails().getCodingFirstRep().getCode()).contains("9000002").doesNotContain("9000001", "9000103");
		assertNothingStoredFor(v);
	}

	@Test
	void ineligibleByConditionIsRefusedNamingTheConditionsTheServiceRequires() {
		Referrals.Values v = new Referrals.Values();
		v.practice = "A99901";
		v.condition = "38341003";
		v.conditionDisplay = "Hypertensive disorder";
		HttpResponse<String> response = post(gateway, withPerformer(v.transaction(), "9000001"));

		assertThat(response.statusCode()).isEqualTo(422);
		OperationOutcome outcome = outcome(response);
		assertThat(outcome.getIssueFirstRep().getDiagnostics())
				.contains("None of the person's conditions given with the referral (Hypertensive disorder (38341003)) is one this service requires")
				.contains("Type 2 diabetes mellitus (44054006)").contains("Osteoporosis (64859006)")
				.contains("General social prescribing service (DoS 9000002");
		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Bundle.entry[2].resource.reasonCode");
		assertNothingStoredFor(v);
	}

	@Test
	void noRouteWhenThePersonIsEligibleForNoServiceCoveringThePractice() {
		Referrals.Values v = new Referrals.Values();
		v.birth = "1996-01-15";
		HttpResponse<String> response = send(v);

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(outcome(response).getIssueFirstRep().getDiagnostics())
				.contains("No route for this referral: the person is not eligible for any service covering patients of Hilltop Medical Practice (A99902)")
				.contains("Aged 30 on 2026-11-20; this service accepts ages 40-74");
		assertNothingStoredFor(v);
	}

	@Test
	void noRouteWhenNoServiceCoversThePractice() {
		Referrals.Values v = new Referrals.Values();
		v.practice = "A99977";
		HttpResponse<String> response = send(v);

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(outcome(response).getIssueFirstRep().getDiagnostics()).contains("No route for this referral: no service in the directory")
				.contains("covers patients of A99977").contains("Name a service in ServiceRequest.performer");
		assertNothingStoredFor(v);
	}

	@Test
	void unknownServiceIsRefused() {
		Referrals.Values v = new Referrals.Values();
		HttpResponse<String> response = post(gateway, withPerformer(v.transaction(), "9999999"));

		assertThat(response.statusCode()).isEqualTo(422);
		OperationOutcome outcome = outcome(response);
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("Unknown service: ServiceRequest.performer[0] names DoS service 9999999, which is not"
				+ " a service in the gateway's directory");
		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Bundle.entry[2].resource.performer[0]");
		assertNothingStoredFor(v);
	}

	@Test
	void badNhsNumberIsRefused() {
		Referrals.Values v = new Referrals.Values();
		v.nhs = Referrals.badNhsNumber();
		HttpResponse<String> response = send(v);

		assertThat(response.statusCode()).isEqualTo(422);
		OperationOutcome outcome = outcome(response);
		assertThat(diagnostics(outcome)).contains("NHS number is 10 digits whose last digit is a valid Modulus 11 check digit");
		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).startsWith("Bundle.entry[0].resource.identifier[0]");
		assertNothingStoredFor(v);
	}

	@Test
	void badNhsNumberInAnotherSpellingOfTheSystemIsRefusedToo() {
		Referrals.Values v = new Referrals.Values();
		v.nhs = Referrals.badNhsNumber();
		Bundle transaction = v.transaction();
		Patient patient = (Patient) transaction.getEntryFirstRep().getResource();
		patient.getIdentifierFirstRep().setSystem("http://fhir.nhs.uk/id/nhs-number");
		transaction.getEntryFirstRep().getRequest().setIfNoneExist(null);
		HttpResponse<String> response = post(gateway, transaction);

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(outcome(response).getIssueFirstRep().getDiagnostics()).contains("NHS number " + v.nhs + " is not valid");
		assertThat(outcome(response).getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Bundle.entry[0].resource.identifier[0].value");
	}

	@Test
	void missingRequesterIsRefused() {
		Referrals.Values v = new Referrals.Values();
		Bundle transaction = v.transaction();
		referralIn(transaction).setRequester(null);
		HttpResponse<String> response = post(gateway, transaction);

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(outcome(response).getIssue()).anySatisfy(i -> assertThat(i.getExpression().get(0).getValue()).isEqualTo("Bundle.entry[2].resource.requester"));
		assertNothingStoredFor(v);
	}

	/** Only a BaRS message's referral is identified by its sender and fullUrl; a transaction's and a REST one need their own identifier. */
	@Test
	void aTransactionOrRestReferralWithoutAnIdentifierIsRefused() {
		Referrals.Values v = new Referrals.Values();
		Bundle transaction = v.transaction();
		referralIn(transaction).setIdentifier(null);
		HttpResponse<String> response = post(gateway, transaction);

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(outcome(response).getIssue()).anySatisfy(i -> assertThat(i.getExpression().get(0).getValue())
				.isEqualTo("Bundle.entry[2].resource.identifier"));
		assertNothingStoredFor(v);

		String patientId = createPatient(v.nhs, "https://fhir.nhs.uk/Id/nhs-number", "1970-02-02", v.practice);
		String rest = Referrals.fill("rest-referral.json", restValues(v, patientId))
				.replace("\"identifier\": [ { \"system\": \"https://fhir.a99901.example.nhs.uk/Id/referral\", \"value\": \"" + v.ref + "\" } ],", "");
		assertThat(rest).doesNotContain("/Id/referral");
		HttpResponse<String> restResponse = Http.post(gateway.baseUrl() + "/ServiceRequest", rest);

		assertThat(restResponse.statusCode()).as(restResponse.body()).isEqualTo(422);
		assertThat(outcome(restResponse).getIssue()).anySatisfy(i -> assertThat(i.getExpression().get(0).getValue())
				.isEqualTo("ServiceRequest.identifier"));
	}

	@Test
	void requesterWithoutAnOrganisationIsRefusedInPlainWords() {
		Referrals.Values v = new Referrals.Values();
		Bundle transaction = v.transaction();
		PractitionerRole role = new PractitionerRole();
		role.addCode().addCoding(new Coding("http://snomed.info/sct", "62247001", "General practitioner"));
		transaction.addEntry().setFullUrl("urn:uuid:0c8a3f0e-6a5e-4f6b-9a55-2d6a3f8e0b01").setResource(role).getRequest()
				.setMethod(Bundle.HTTPVerb.POST).setUrl("PractitionerRole");
		referralIn(transaction).setRequester(new Reference("urn:uuid:0c8a3f0e-6a5e-4f6b-9a55-2d6a3f8e0b01"));
		HttpResponse<String> response = post(gateway, transaction);

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(outcome(response).getIssueFirstRep().getDiagnostics()).contains("The referral must say which organisation made it")
				.contains("an Organization with an ODS code");
		assertThat(outcome(response).getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Bundle.entry[2].resource.requester");
		assertNothingStoredFor(v);
	}

	@Test
	void aReferralWithoutAnyReasonIsRefused() {
		Referrals.Values v = new Referrals.Values();
		Bundle transaction = v.transaction();
		referralIn(transaction).setReasonReference(null);
		HttpResponse<String> response = post(gateway, transaction);

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(outcome(response).getIssueFirstRep().getDiagnostics()).contains("The referral must say why the person is referred");
	}

	@Test
	void aServiceThatTakesSelfReferralsOnlyIsRefusedWithItsContactDetails() {
		Referrals.Values v = new Referrals.Values();
		HttpResponse<String> response = post(gateway, withPerformer(v.transaction(), "9000103"));

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(outcome(response).getIssueFirstRep().getDiagnostics()).contains("Community arts group (DoS 9000103, Hilltop Community Arts Collective)"
				+ " cannot take this referral: it takes self-referrals only: the person can contact it directly (phone 0300 000 0303)");
	}

	@Test
	void validateTellsWhatIntakeWouldSayAndStoresNothing() {
		Referrals.Values v = new Referrals.Values();
		String patientId = createPatient(v.nhs, NHS, "1988-06-01", "A99901");
		String body = Referrals.fill("rest-referral.json", restValues(v, patientId)).replace("\"reasonCode\"",
				"\"performer\": [ { \"identifier\": { \"system\": \"" + DOS + "\", \"value\": \"9000001\" } } ], \"reasonCode\"");
		HttpResponse<String> refused = Http.post(gateway.baseUrl() + "/ServiceRequest/$validate", body);

		assertThat(refused.statusCode()).isEqualTo(200);
		assertThat(outcome(refused).getIssue()).anySatisfy(i -> {
			assertThat(i.getSeverity()).isEqualTo(IssueSeverity.ERROR);
			assertThat(i.getDiagnostics()).contains("Aged 38 on 2026-11-20; this service accepts ages 40-74");
		});
		HttpResponse<String> fine = Http.post(gateway.baseUrl() + "/ServiceRequest/$validate", body.replace("9000001", "9000002"));
		assertThat(outcome(fine).getIssue()).noneMatch(i -> i.getSeverity() == IssueSeverity.ERROR)
				.anySatisfy(i -> assertThat(i.getDiagnostics()).contains("As a new referral this would go to General social prescribing service"));
		assertThat(search(gateway, "ServiceRequest?identifier=https://fhir.a99901.example.nhs.uk/Id/referral|" + v.ref, ServiceRequest.class)).isEmpty();
	}

	static void assertNothingStoredFor(Referrals.Values v) {
		assertThat(search(gateway, "Patient?identifier=" + NHS + "|" + v.nhs, Patient.class)).isEmpty();
		assertThat(search(gateway, "ServiceRequest?identifier=https://fhir.a99901.example.nhs.uk/Id/referral|" + v.ref, ServiceRequest.class)).isEmpty();
	}

	// ---------------------------------------------------------------- identifiers

	@Test
	void lowerCaseAndHttpSpellingsOfNhsSystemsAreAcceptedAndStoredCanonically() {
		Referrals.Values v = new Referrals.Values();
		Bundle transaction = v.transaction();
		Patient patient = (Patient) transaction.getEntryFirstRep().getResource();
		patient.getIdentifierFirstRep().setSystem("http://fhir.nhs.uk/id/nhs-number");
		patient.getGeneralPractitionerFirstRep().getIdentifier().setSystem("https://fhir.nhs.uk/id/ods-organization-code");
		transaction.getEntryFirstRep().getRequest().setIfNoneExist("identifier=http://fhir.nhs.uk/id/nhs-number|" + v.nhs);
		referralIn(transaction).getRequester().getIdentifier().setSystem("https://fhir.nhs.uk/id/ods-organization-code");
		HttpResponse<String> response = post(gateway, transaction);

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Patient stored = read(gateway, location(response, 0), Patient.class);
		assertThat(stored.getIdentifierFirstRep().getSystem()).isEqualTo(NHS);
		assertThat(stored.getGeneralPractitionerFirstRep().getIdentifier().getSystem()).isEqualTo(ODS);
		ServiceRequest referral = read(gateway, location(response, 2), ServiceRequest.class);
		assertThat(referral.getRequester().getIdentifier().getSystem()).isEqualTo(ODS);
		assertThat(search(gateway, "Patient?identifier=" + NHS + "|" + v.nhs, Patient.class)).hasSize(1);

		// The same person sent again under the canonical system is the same record.
		Referrals.Values again = new Referrals.Values();
		again.nhs = v.nhs;
		HttpResponse<String> second = send(again);
		assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
		assertThat(location(second, 0)).isEqualTo(location(response, 0));
	}

	// ---------------------------------------------------------------- REST path

	@Test
	void restReferralForAnExistingPatientGoesThroughTheSameIntake() {
		Referrals.Values v = new Referrals.Values();
		String patientId = createPatient(v.nhs, "https://fhir.nhs.uk/id/nhs-number", "1970-02-02", v.practice);
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/ServiceRequest", Referrals.fill("rest-referral.json", restValues(v, patientId)),
				"Prefer", "return=OperationOutcome");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		assertThat(diagnostics(outcome(response))).contains("Referral accepted for Long-term conditions link worker service");
		String referral = response.headers().firstValue("Location").orElseThrow().replaceAll(".*/fhir/", "").replaceAll("/_history/.*", "");
		ServiceRequest stored = read(gateway, referral, ServiceRequest.class);
		assertThat(stored.getSubject().getIdentifier().getValue()).isEqualTo(v.nhs);
		assertThat(stored.getPerformerFirstRep().getReference()).isEqualTo("HealthcareService/dos-9000001");
		Task task = taskFor(gateway, referral);
		assertThat(task.getFor().getReference()).isEqualTo("Patient/" + patientId);
		assertThat(search(gateway, "Provenance?target=" + referral, Provenance.class).get(0)
				.getExtensionByUrl("https://spgateway.org/fhir/StructureDefinition/sp-message-context").getExtensionByUrl("channel").getValue()
				.primitiveValue()).isEqualTo("rest");

		HttpResponse<String> again = Http.post(gateway.baseUrl() + "/ServiceRequest", Referrals.fill("rest-referral.json", restValues(v, patientId)));
		assertThat(again.statusCode()).isEqualTo(200);
		assertThat(Http.parse(again, ServiceRequest.class).getIdElement().getIdPart()).isEqualTo(referral.substring("ServiceRequest/".length()));
		assertThat(search(gateway, "Task?focus=" + referral, Task.class)).hasSize(1);

		String different = Referrals.fill("rest-referral.json", restValues(v, patientId)).replace("\"intent\": \"order\"", "\"intent\": \"plan\"");
		assertThat(Http.post(gateway.baseUrl() + "/ServiceRequest", different).statusCode()).isEqualTo(409);
	}

	@Test
	void restReferralMayNameThePatientByNhsNumberOnly() {
		Referrals.Values v = new Referrals.Values();
		createPatient(v.nhs, NHS, "1960-07-07", v.practice);
		String body = Referrals.fill("rest-referral.json", restValues(v, "x"))
				.replace("\"reference\": \"Patient/x\"", "\"identifier\": { \"system\": \"https://fhir.nhs.uk/Id/nhs-number\", \"value\": \"" + v.nhs + "\" }");
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/ServiceRequest", body);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		assertThat(Http.parse(response, ServiceRequest.class).getSubject().getReference()).startsWith("Patient/");

		Referrals.Values unknown = new Referrals.Values();
		String noPatient = Referrals.fill("rest-referral.json", restValues(unknown, "x"))
				.replace("\"reference\": \"Patient/x\"", "\"identifier\": { \"system\": \"https://fhir.nhs.uk/Id/nhs-number\", \"value\": \"" + unknown.nhs + "\" }");
		HttpResponse<String> refused = Http.post(gateway.baseUrl() + "/ServiceRequest", noPatient);
		assertThat(refused.statusCode()).isEqualTo(422);
		assertThat(outcome(refused).getIssueFirstRep().getDiagnostics()).contains("No Patient with NHS number " + unknown.nhs + " is known to the gateway");
	}

	@Test
	void aPatientWithAKnownNhsNumberIsNotStoredTwice() {
		String nhs = Referrals.nhsNumber();
		String first = createPatient(nhs, NHS, "1970-01-01", "A99901");
		HttpResponse<String> again = Http.post(gateway.baseUrl() + "/Patient", Referrals.fill("patient.json", java.util.Map.of("NHS", nhs, "NHS_SYSTEM",
				"https://fhir.nhs.uk/id/nhs-number", "BIRTH", "1970-01-01", "PRACTICE", "A99901")));
		assertThat(again.statusCode()).isEqualTo(200);
		assertThat(Http.parse(again, Patient.class).getIdElement().getIdPart()).isEqualTo(first);
		assertThat(search(gateway, "Patient?identifier=" + NHS + "|" + nhs, Patient.class)).hasSize(1);
	}

	static java.util.Map<String, String> restValues(Referrals.Values v, String patientId) {
		java.util.Map<String, String> values = v.map();
		values.put("PATIENT", patientId);
		return values;
	}

	static String createPatient(String nhs, String system, String birth, String practice) {
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/Patient", Referrals.fill("patient.json", java.util.Map.of("NHS", nhs,
				"NHS_SYSTEM", system, "BIRTH", birth, "PRACTICE", practice)));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return Http.parse(response, Patient.class).getIdElement().getIdPart();
	}

	// ---------------------------------------------------------------- manual triage (directory written through the API)

	@Test
	void aServiceThatTriagesManuallyTakesAnIneligibleReferralAndFlagsIt() {
		String practice = "T" + (10000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(89999));
		Organization org = new Organization().setName("Triage Test Practice " + practice);
		org.addIdentifier().setSystem(ODS).setValue(practice);
		assertThat(gateway.client().create().resource(org).execute().getCreated()).isTrue();
		HealthcareService service = new HealthcareService();
		service.setName("Over-60s link worker service " + practice);
		service.addIdentifier().setSystem(DOS).setValue("8" + practice.substring(1));
		service.setProvidedBy(new Reference().setIdentifier(new Identifier().setSystem(ODS).setValue("X99901")));
		org.hl7.fhir.r4.model.Extension rules = service.addExtension().setUrl("https://spgateway.org/fhir/StructureDefinition/sp-eligibility");
		rules.addExtension("minimumAge", new org.hl7.fhir.r4.model.UnsignedIntType(60));
		rules.addExtension("manualTriage", new org.hl7.fhir.r4.model.BooleanType(true));
		service.addExtension("https://spgateway.org/fhir/StructureDefinition/sp-covered-practice",
				new Reference().setIdentifier(new Identifier().setSystem(ODS).setValue(practice)));
		HttpResponse<String> created = Http.post(gateway.baseUrl() + "/HealthcareService", json(service));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

		Referrals.Values v = new Referrals.Values();
		v.practice = practice;
		HttpResponse<String> response = send(v);

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(diagnostics((OperationOutcome) Http.parse(response, Bundle.class).getEntry().get(2).getResponse().getOutcome()))
				.contains("Accepted for manual triage: Aged 58 on 2026-11-20; this service accepts ages 60 and over");
		Task task = taskFor(gateway, location(response, 2));
		assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.REQUESTED);
		assertThat(task.getBusinessStatus().getCodingFirstRep().getCode()).isEqualTo("eligibility-review");
		assertThat(task.getNoteFirstRep().getText()).contains("Aged 58 on 2026-11-20; this service accepts ages 60 and over");
	}

	// ---------------------------------------------------------------- updates and cancellation

	@Test
	void revokingTheReferralCancelsTheTaskWithTheReferrersReason() {
		Referrals.Values v = new Referrals.Values();
		String referralLocation = location(send(v), 2);
		ServiceRequest referral = read(gateway, referralLocation, ServiceRequest.class);

		referral.setStatus(ServiceRequest.ServiceRequestStatus.REVOKED);
		referral.addExtension("http://hl7.org/fhir/StructureDefinition/request-statusReason", new CodeableConcept().setText("Patient moved out of the area"));
		HttpResponse<String> response = Http.put(gateway.baseUrl() + "/" + referralLocation, json(referral), "Prefer", "return=OperationOutcome");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(diagnostics(outcome(response))).contains("is cancelled");
		Task task = taskFor(gateway, referralLocation);
		assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.CANCELLED);
		assertThat(task.getStatusReason().getText()).isEqualTo("Cancelled by the referrer: Patient moved out of the area");
		assertThat(task.getMeta().getVersionId()).isEqualTo("2");
		assertThat(read(gateway, referralLocation, ServiceRequest.class).getMeta().getVersionId()).isEqualTo("2");
		assertThat(search(gateway, "Provenance?target=" + referralLocation, Provenance.class)).extracting(p -> p.getActivity().getCodingFirstRep().getCode())
				.containsExactlyInAnyOrder("CREATE", "UPDATE");

		referral = read(gateway, referralLocation, ServiceRequest.class);
		referral.setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE);
		HttpResponse<String> reopen = Http.put(gateway.baseUrl() + "/" + referralLocation, json(referral));
		assertThat(reopen.statusCode()).isEqualTo(422);
		assertThat(outcome(reopen).getIssueFirstRep().getDiagnostics()).contains("This referral is revoked and can no longer change status");
	}

	@Test
	void aPatchThatRevokesTheReferralCancelsTheTaskToo() {
		Referrals.Values v = new Referrals.Values();
		String referralLocation = location(send(v), 2);
		String patch = "[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"entered-in-error\"}]";
		HttpResponse<String> response = Http.patch(gateway.baseUrl() + "/" + referralLocation, patch, "application/json-patch+json");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Task task = taskFor(gateway, referralLocation);
		assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.CANCELLED);
		assertThat(task.getStatusReason().getText()).isEqualTo("The referrer marked the referral as sent in error");
	}

	@Test
	void aChangeToAnAcceptedReferralIsANewVersionAndIsNotedOnTheTask() {
		Referrals.Values v = new Referrals.Values();
		String referralLocation = location(send(v), 2);
		Task task = taskFor(gateway, referralLocation);
		task.setStatus(Task.TaskStatus.ACCEPTED);
		assertThat(Http.put(gateway.baseUrl() + "/Task/" + task.getIdElement().getIdPart(), json(task)).statusCode()).isEqualTo(200);

		ServiceRequest referral = read(gateway, referralLocation, ServiceRequest.class);
		referral.addNote().setText("Now also caring for a parent with dementia.");
		HttpResponse<String> response = Http.put(gateway.baseUrl() + "/" + referralLocation, json(referral));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		ServiceRequest current = read(gateway, referralLocation, ServiceRequest.class);
		assertThat(current.getMeta().getVersionId()).isEqualTo("2");
		assertThat(current.getNote()).hasSize(2);
		assertThat(read(gateway, referralLocation + "/_history/1", ServiceRequest.class).getNote()).hasSize(1);
		Task after = taskFor(gateway, referralLocation);
		assertThat(after.getStatus()).isEqualTo(Task.TaskStatus.ACCEPTED);
		assertThat(after.getMeta().getVersionId()).isEqualTo("3");
		assertThat(after.getNote()).extracting(n -> n.getText()).anyMatch(t -> t.contains("The referrer changed the referral (now " + referralLocation
				+ "/_history/2)"));

		// Sending the same version again changes nothing.
		HttpResponse<String> same = Http.put(gateway.baseUrl() + "/" + referralLocation, json(current));
		assertThat(same.statusCode()).isEqualTo(200);
		assertThat(read(gateway, referralLocation, ServiceRequest.class).getMeta().getVersionId()).isEqualTo("2");

		// Handing the referral to another referring organisation by update is refused.
		ServiceRequest otherReferrer = current.copy();
		otherReferrer.setRequester(new Reference().setIdentifier(new Identifier().setSystem(ODS).setValue("A99901")));
		HttpResponse<String> handedOver = Http.put(gateway.baseUrl() + "/" + referralLocation, json(otherReferrer));
		assertThat(handedOver.statusCode()).isEqualTo(422);
		assertThat(outcome(handedOver).getIssueFirstRep().getDiagnostics()).contains("referring organisation cannot change");

		// Moving the referral to another service by update is refused.
		current.setPerformer(List.of(new Reference().setIdentifier(new Identifier().setSystem(DOS).setValue("9000002"))));
		HttpResponse<String> moved = Http.put(gateway.baseUrl() + "/" + referralLocation, json(current));
		assertThat(moved.statusCode()).isEqualTo(422);
		assertThat(outcome(moved).getIssueFirstRep().getDiagnostics()).contains("cannot be moved to another service");
	}

	@Test
	void aLinkWorkersOnwardReferralIsPartOfTheOriginalReferralsTask() {
		Referrals.Values v = new Referrals.Values();
		String original = location(send(v), 2);
		ServiceRequest onward = new ServiceRequest();
		onward.addIdentifier().setSystem("https://northside-wellbeing.example.org/Id/onward-referral").setValue(Referrals.referralId());
		onward.setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE).setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
		onward.getCode().addCoding(new Coding("https://spgateway.org/fhir/CodeSystem/sp-service-type", "weight-management", "Weight management"));
		onward.setSubject(new Reference(read(gateway, original, ServiceRequest.class).getSubject().getReference()));
		onward.setAuthoredOnElement(new org.hl7.fhir.r4.model.DateTimeType("2026-12-01T11:00:00+00:00"));
		onward.setRequester(new Reference().setIdentifier(new Identifier().setSystem(ODS).setValue("X99901")));
		onward.addPerformer(new Reference().setIdentifier(new Identifier().setSystem(DOS).setValue("9000101")));
		onward.addBasedOn(new Reference(original));
		onward.addReasonCode().setText("Wants support to lose weight; agreed in the personalised plan");
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/ServiceRequest", json(onward));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		String onwardLocation = "ServiceRequest/" + Http.parse(response, ServiceRequest.class).getIdElement().getIdPart();
		Task task = taskFor(gateway, onwardLocation);
		assertThat(task.getOwner().getIdentifier().getValue()).isEqualTo("VCS-0001");
		assertThat(task.getPartOfFirstRep().getReference()).isEqualTo("Task/" + taskFor(gateway, original).getIdElement().getIdPart());
		assertThat(((Coding) read(gateway, onwardLocation, ServiceRequest.class)
				.getExtensionByUrl("https://spgateway.org/fhir/StructureDefinition/sp-referral-source").getValue()).getCode()).isEqualTo("voluntary-sector");
	}

	// ---------------------------------------------------------------- self-referral

	static Bundle selfReferral(boolean withPhone) {
		Referrals.Values v = new Referrals.Values();
		Bundle transaction = v.transaction();
		Patient person = (Patient) transaction.getEntryFirstRep().getResource();
		person.getIdentifier().clear();
		if (!withPhone) {
			person.getTelecom().clear();
		}
		person.getGeneralPractitionerFirstRep().getIdentifier().setValue("A99901");
		transaction.getEntryFirstRep().getRequest().setIfNoneExist(null);
		ServiceRequest referral = referralIn(transaction);
		referral.getIdentifierFirstRep().setSystem("https://northside-wellbeing.example.org/Id/self-referral");
		referral.setRequester(new Reference(transaction.getEntryFirstRep().getFullUrl()));
		referral.getSubject().setIdentifier(null);
		referral.addPerformer(new Reference().setIdentifier(new Identifier().setSystem(DOS).setValue("9000002")));
		return transaction;
	}

	@Test
	void aSelfReferralWithoutAnNhsNumberIsTakenWhenThePersonCanBeReached() {
		Bundle transaction = selfReferral(true);
		HttpResponse<String> response = post(gateway, transaction, "NHSD-End-User-Organisation", java.util.Base64.getEncoder().encodeToString(
				"{\"resourceType\":\"Organization\",\"identifier\":[{\"system\":\"https://fhir.nhs.uk/Id/ods-organization-code\",\"value\":\"X99901\"}]}"
						.getBytes(java.nio.charset.StandardCharsets.UTF_8)));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		ServiceRequest referral = read(gateway, location(response, 2), ServiceRequest.class);
		assertThat(((Coding) referral.getExtensionByUrl("https://spgateway.org/fhir/StructureDefinition/sp-referral-source").getValue()).getCode())
				.isEqualTo("self");
		assertThat(referral.getRequester().getReference()).isEqualTo(location(response, 0));
		assertThat(taskFor(gateway, location(response, 2)).getOwner().getIdentifier().getValue()).isEqualTo("X99901");
	}

	@Test
	void aSelfReferralWithNoWayToReachThePersonIsRefused() {
		HttpResponse<String> response = post(gateway, selfReferral(false));

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(outcome(response).getIssueFirstRep().getDiagnostics()).contains("needs an NHS number").contains("a phone number, email or address");
	}

	@Nested
	class SandboxDirectory {

		@Test
		void theSandboxSeedsTheDemoDirectory() {
			List<HealthcareService> services = search(gateway, "HealthcareService?identifier=" + DOS + "|9000001,9000002,9000101,9000102,9000103",
					HealthcareService.class);
			assertThat(services).extracting(HealthcareService::getName).containsExactlyInAnyOrder("Long-term conditions link worker service",
					"General social prescribing service", "Healthy weight group", "Welfare rights advice", "Community arts group");
			List<Organization> orgs = search(gateway, "Organization?identifier=" + ODS + "|A99901," + ODS + "|A99902," + ODS + "|X99901", Organization.class);
			assertThat(orgs).extracting(Organization::getName).containsExactlyInAnyOrder("Riverside Surgery", "Hilltop Medical Practice",
					"Northside Wellbeing Partnership");
		}
	}
}
