package org.spgateway.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.OperationOutcomeIssueComponent;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.spgateway.testsupport.Errors;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.ReferralWork;
import org.spgateway.testsupport.SharedGateway;

/**
 * What the gateway accepts and rejects, and how it says so: every issue with severity, diagnostics and
 * FHIRPath expression; 422 for content that breaks a rule, 400 for content that cannot be read;
 * nothing stored on rejection; UK Core resources accepted; $validate giving the same answer.
 */
class ResourceValidatorIT {

	private static final String S = "https://example.org/validator-it";
	private static final String NHS = "https://fhir.nhs.uk/Id/nhs-number";

	static GatewayServer gateway;
	static String base;

	@BeforeAll
	static void start() {
		gateway = SharedGateway.get();
		base = gateway.baseUrl();
	}

	/** A Patient body (JSON) with a unique marker identifier and, optionally, an NHS number. */
	private static String patient(String marker, String nhsNumber, String extraJson) {
		return """
				{"resourceType":"Patient",
				 "identifier":[{"system":"%s","value":"%s"}%s],
				 "name":[{"family":"Valid"}]%s}"""
				.formatted(S, marker, nhsNumber == null ? "" : ",{\"system\":\"" + NHS + "\",\"value\":\"" + nhsNumber + "\"}",
						extraJson == null ? "" : "," + extraJson);
	}

	private static boolean stored(String marker) {
		Bundle found = Http.parse(Http.get(base + "/Patient?identifier=" + S + "|" + marker + "&_total=accurate"), Bundle.class);
		return found.getTotal() > 0;
	}

	private static OperationOutcome rejected(String type, String body, int status) {
		return Errors.outcome(Http.post(base + "/" + type, body), status);
	}

	private static String marker() {
		return UUID.randomUUID().toString();
	}

	// ---------------------------------------------------------------- NHS number (sp-patient, spp-1)

	@ParameterizedTest
	@ValueSource(strings = {"9434765919", "3416721101", "6840388549", "2143044321", "8840832130"})
	void validNhsNumbersAreAccepted(String nhsNumber) {
		String marker = marker();
		HttpResponse<String> response = Http.post(base + "/Patient", patient(marker, nhsNumber, null));
		// One Patient per NHS number: a number another test stored already answers 200 with that record.
		assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
		assertThat(Http.parse(response, Patient.class).getIdentifier()).anyMatch(i -> nhsNumber.equals(i.getValue()));
		assertThat(response.statusCode() == 200 || stored(marker)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = {
			"9434765918", // wrong check digit (should be 9)
			"7568345670", // the check digit works out as 10: no valid number starts 756834567
			"943476591", // nine digits
			"94347659190", // eleven digits
			"943476591A"})
	void invalidNhsNumbersAreRejectedAndNothingIsStored(String nhsNumber) {
		String marker = marker();
		OperationOutcome outcome = rejected("Patient", patient(marker, nhsNumber, null), 422);
		List<OperationOutcomeIssueComponent> errors = Errors.errors(outcome);
		assertThat(errors).hasSize(1);
		assertThat(errors.get(0).getDiagnostics()).contains("spp-1").contains("Modulus 11");
		assertThat(Errors.expressions(errors)).containsExactly("Patient.identifier[1]");
		assertThat(stored(marker)).isFalse();
	}

	@Test
	void theModulus11RuleAppliesOnlyToNhsNumbers() {
		String marker = marker();
		String body = patient(marker, null, "\"telecom\":[{\"system\":\"phone\",\"value\":\"9434765918\"}]")
				.replace("\"value\":\"" + marker + "\"}", "\"value\":\"" + marker + "\"},{\"system\":\"https://example.org/mrn\",\"value\":\"9434765918\"}");
		HttpResponse<String> response = Http.post(base + "/Patient", body);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
	}

	// ---------------------------------------------------------------- structure

	@Test
	void unknownElementsAreErrorsNamingTheElement() {
		String marker = marker();
		String body = """
				{"resourceType":"Patient","identifier":[{"system":"%s","value":"%s"}],
				 "favouriteColour":"blue","name":[{"family":"X","nickname":"Y"}]}""".formatted(S, marker);
		OperationOutcome outcome = rejected("Patient", body, 422);
		assertThat(Errors.expressions(Errors.errors(outcome))).containsExactlyInAnyOrder("Patient.favouriteColour", "Patient.name[0].nickname");
		assertThat(Errors.diagnostics(Errors.errors(outcome))).contains("favouriteColour").contains("nickname");
		assertThat(stored(marker)).isFalse();
	}

	@Test
	void cardinalityIsChecked() {
		OperationOutcome missing = rejected("Observation", "{\"resourceType\":\"Observation\",\"code\":{\"text\":\"Weight\"}}", 422);
		assertThat(Errors.diagnostics(Errors.errors(missing))).contains("Observation.status: minimum required = 1");
		assertThat(Errors.expressions(Errors.errors(missing))).containsExactly("Observation.status");

		OperationOutcome tooMany = rejected("Patient", "{\"resourceType\":\"Patient\",\"gender\":[\"male\",\"female\"]}", 422);
		assertThat(Errors.expressions(Errors.errors(tooMany))).containsExactly("Patient.gender");
	}

	@Test
	void invalidValuesOfKnownElementsAre422WithTheirExpression() {
		String marker = marker();
		OperationOutcome code = rejected("Patient", patient(marker, null, "\"gender\":\"sometimes\""), 422);
		assertThat(Errors.expressions(Errors.errors(code))).containsOnly("Patient.gender");
		assertThat(Errors.diagnostics(Errors.errors(code))).contains("sometimes");

		OperationOutcome date = rejected("Patient", patient(marker, null, "\"birthDate\":\"12/04/1968\""), 422);
		assertThat(Errors.expressions(Errors.errors(date))).containsOnly("Patient.birthDate");
		assertThat(Errors.diagnostics(Errors.errors(date))).contains("12/04/1968");

		OperationOutcome bool = rejected("Patient", patient(marker, null, "\"active\":\"yes\""), 422);
		assertThat(Errors.expressions(Errors.errors(bool))).containsOnly("Patient.active");
		assertThat(stored(marker)).isFalse();
	}

	@Test
	void theReferralProfileListsEveryMissingElement() {
		String body = """
				{"resourceType":"ServiceRequest","status":"active","intent":"order",
				 "subject":{"reference":"Patient/example"}}""";
		OperationOutcome outcome = rejected("ServiceRequest", body, 422);
		String diagnostics = Errors.diagnostics(Errors.errors(outcome));
		assertThat(diagnostics).contains("ServiceRequest.identifier").contains("ServiceRequest.code")
				.contains("ServiceRequest.authoredOn").contains("ServiceRequest.requester").contains("sp-referral");
		assertThat(Errors.errors(outcome)).hasSizeGreaterThanOrEqualTo(4);
		assertThat(Errors.errors(outcome)).allMatch(OperationOutcomeIssueComponent::hasExpression);
	}

	@Test
	void theReferralTaskMustSayWhyItWasRejected() {
		// Tasks come from referral intake; the provider rejects one by updating it.
		String id = ReferralWork.refer(gateway, ReferralWork.sandboxService()).taskId();
		Task rejected = ReferralWork.task(gateway, id);
		rejected.setStatus(Task.TaskStatus.REJECTED);
		OperationOutcome outcome = Errors.outcome(Http.put(base + "/Task/" + id, Http.json(rejected)), 422);
		assertThat(Errors.diagnostics(Errors.errors(outcome))).contains("spt-1");
		assertThat(Errors.expressions(Errors.errors(outcome))).containsExactly("Task");
		assertThat(ReferralWork.task(gateway, id).getStatus()).isEqualTo(Task.TaskStatus.REQUESTED);

		rejected.setStatusReason(new CodeableConcept(new Coding(ReferralWork.REJECTION_REASON, "not-eligible", null))
				.setText("Outside our area"));
		HttpResponse<String> withReason = Http.put(base + "/Task/" + id, Http.json(rejected));
		assertThat(withReason.statusCode()).as(withReason.body()).isEqualTo(200);
		assertThat(Http.parse(withReason, Task.class).getStatus()).isEqualTo(Task.TaskStatus.REJECTED);
	}

	// ---------------------------------------------------------------- unreadable content: 400

	@Test
	void unreadableBodiesAre400() {
		assertThat(Errors.diagnostics(rejected("Patient", "{\"resourceType\":\"Patient\",", 400).getIssue())).contains("JSON");
		rejected("Patient", "this is not FHIR", 400);
		Errors.outcome(Http.post(base + "/Patient", "<Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"male\"/>",
				"Content-Type", "application/fhir+xml"), 400);
		Errors.outcome(Http.post(base + "/Patient", "", "Content-Type", "application/fhir+json"), 400);
	}

	@Test
	void aResourceOfAnotherTypeIs400() {
		OperationOutcome outcome = rejected("Patient", "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"}}", 400);
		assertThat(Errors.diagnostics(outcome.getIssue())).contains("Patient").contains("Observation");
		Errors.outcome(Http.put(base + "/Patient/abc", "{\"resourceType\":\"Observation\",\"id\":\"abc\",\"status\":\"final\",\"code\":{\"text\":\"x\"}}"), 400);
	}

	// ---------------------------------------------------------------- UK Core and unknown profiles

	@Test
	void ukCorePatientIsAcceptedWithWarnings() {
		Patient patient = Fixtures.resource(ResourceValidatorIT.class, "patient-uk-core.json", Patient.class);
		// A person of its own: one Patient per NHS number, and other tests store the fixture's.
		patient.getIdentifierFirstRep().setValue(org.spgateway.intake.TestNhsNumbers.next());
		String marker = marker();
		patient.addIdentifier().setSystem(S).setValue(marker);
		HttpResponse<String> response = Http.post(base + "/Patient", Http.json(patient), "Prefer", "return=OperationOutcome");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		OperationOutcome outcome = Http.parse(response, OperationOutcome.class);
		assertThat(Errors.errors(outcome)).isEmpty();
		assertThat(Errors.diagnostics(Errors.warnings(outcome)))
				.contains("Extension-UKCore-EthnicCategory")
				.contains("Extension-UKCore-NHSNumberVerificationStatus")
				.contains("UKCore-Patient");
		assertThat(stored(marker)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = {
			"https://fhir.hl7.org.uk/CodeSystem/UKCore-HumanLanguage|en",
			"https://fhir.hl7.org.uk/CodeSystem/UKCore-HumanLanguage|pa",
			"http://snomed.info/sct|1000000000000",
			"urn:ietf:bcp:47|en-GB"})
	void communicationLanguageTakesUkCoreSnomedAndBcp47Codes(String coding) {
		Patient patient = Fixtures.resource(ResourceValidatorIT.class, "patient-uk-core.json", Patient.class);
		// A person of its own: one Patient per NHS number, and other tests store the fixture's.
		patient.getIdentifierFirstRep().setValue(org.spgateway.intake.TestNhsNumbers.next());
		String marker = marker();
		patient.addIdentifier().setSystem(S).setValue(marker);
		String[] parts = coding.split("\\|");
		patient.getCommunicationFirstRep().getLanguage().getCodingFirstRep().setSystem(parts[0]).setCode(parts[1]).setDisplay(null);
		HttpResponse<String> response = Http.post(base + "/Patient", Http.json(patient));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
	}

	@Test
	void anUnknownDeclaredProfileIsAWarningNotARejection() {
		String marker = marker();
		String body = patient(marker, null, "\"meta\":{\"profile\":[\"https://fhir.nhs.uk/StructureDefinition/NHSDigital-Patient-PDS\"]}");
		HttpResponse<String> response = Http.post(base + "/Patient", body, "Prefer", "return=OperationOutcome");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		OperationOutcome outcome = Http.parse(response, OperationOutcome.class);
		assertThat(Errors.errors(outcome)).isEmpty();
		assertThat(Errors.expressions(Errors.warnings(outcome))).contains("Patient.meta.profile[0]");
	}

	// ---------------------------------------------------------------- $validate

	@Test
	void validateAtTypeLevelGivesTheSameIssuesAsAWriteAndStoresNothing() {
		String marker = marker();
		String body = patient(marker, "9434765918", "\"favouriteColour\":\"blue\"");
		OperationOutcome write = rejected("Patient", body, 422);

		HttpResponse<String> validated = Http.post(base + "/Patient/$validate", body);
		assertThat(validated.statusCode()).isEqualTo(200);
		Errors.assertNoInternals(validated.body());
		OperationOutcome outcome = Http.parse(validated, OperationOutcome.class);
		assertThat(summary(outcome)).isEqualTo(summary(write));

		String parameters = "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"resource\",\"resource\":" + body + "}]}";
		OperationOutcome viaParameters = Http.parse(Http.post(base + "/Patient/$validate", parameters), OperationOutcome.class);
		assertThat(Errors.errors(viaParameters)).extracting(OperationOutcomeIssueComponent::getDiagnostics)
				.containsExactlyInAnyOrderElementsOf(Errors.errors(write).stream().map(OperationOutcomeIssueComponent::getDiagnostics).toList());

		String xml = GatewayServer.fhirContext().newXmlParser().encodeResourceToString(
				GatewayServer.fhirContext().newJsonParser().parseResource(body))
				.replace("<name>", "<favouriteColour value=\"blue\"/><name>");
		String xmlParameters = "<Parameters xmlns=\"http://hl7.org/fhir\"><parameter><name value=\"resource\"/><resource>" + xml
				+ "</resource></parameter></Parameters>";
		OperationOutcome viaXml = Http.parse(Http.post(base + "/Patient/$validate", xmlParameters, "Content-Type", "application/fhir+xml",
				"Accept", "application/fhir+json"), OperationOutcome.class);
		assertThat(Errors.diagnostics(Errors.errors(viaXml))).contains("favouriteColour").contains("spp-1");
		assertThat(stored(marker)).isFalse();
	}

	@Test
	void validateAtInstanceLevelChecksTheBodyOrTheStoredVersionAndChangesNothing() {
		String marker = marker();
		String nhsNumber = org.spgateway.intake.TestNhsNumbers.next();
		HttpResponse<String> created = Http.post(base + "/Patient", patient(marker, nhsNumber, null));
		String id = Http.parse(created, Patient.class).getIdElement().getIdPart();

		OperationOutcome current = Http.parse(Http.get(base + "/Patient/" + id + "/$validate"), OperationOutcome.class);
		assertThat(Errors.errors(current)).isEmpty();

		String invalid = patient(marker, "9434765918", null).replace("{\"resourceType\":\"Patient\",", "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",");
		OperationOutcome typeLevel = Http.parse(Http.post(base + "/Patient/$validate", invalid), OperationOutcome.class);
		HttpResponse<String> instance = Http.post(base + "/Patient/" + id + "/$validate", invalid);
		assertThat(instance.statusCode()).isEqualTo(200);
		assertThat(summary(Http.parse(instance, OperationOutcome.class))).isEqualTo(summary(typeLevel));
		assertThat(Errors.expressions(Errors.errors(typeLevel))).containsExactly("Patient.identifier[1]");

		Patient after = Http.parse(Http.get(base + "/Patient/" + id), Patient.class);
		assertThat(after.getMeta().getVersionId()).isEqualTo("1");
		assertThat(after.getIdentifier().get(1).getValue()).isEqualTo(nhsNumber);
	}

	@Test
	void validateAgainstANamedProfile() {
		String task = "{\"resourceType\":\"Task\",\"status\":\"requested\",\"intent\":\"proposal\"}";
		OperationOutcome outcome = Http.parse(Http.post(base + "/Task/$validate?profile=https://spgateway.org/fhir/StructureDefinition/sp-referral-task", task),
				OperationOutcome.class);
		assertThat(Errors.diagnostics(Errors.errors(outcome))).contains("Task.focus").contains("Task.for");

		// The same with everything in a Parameters body, as HAPI's client sends it.
		String parameters = "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"resource\",\"resource\":" + task
				+ "},{\"name\":\"profile\",\"valueUri\":\"https://spgateway.org/fhir/StructureDefinition/sp-referral-task\"}]}";
		OperationOutcome inBody = Http.parse(Http.post(base + "/Task/$validate", parameters), OperationOutcome.class);
		assertThat(summary(inBody)).isEqualTo(summary(outcome));

		OperationOutcome unknown = Http.parse(Http.post(base + "/Patient/$validate?profile=https://example.org/StructureDefinition/nope",
				patient(marker(), null, null)), OperationOutcome.class);
		assertThat(Errors.diagnostics(Errors.errors(unknown))).contains("https://example.org/StructureDefinition/nope").contains("not known");
	}

	@Test
	void validatesConformanceResourcesToo() {
		HttpResponse<String> response = Http.post(base + "/CodeSystem/$validate",
				"{\"resourceType\":\"CodeSystem\",\"url\":\"https://example.org/cs\",\"status\":\"draft\",\"content\":\"complete\"}");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Errors.assertNoInternals(response.body());
		assertThat(Http.parse(response, OperationOutcome.class).getIssue()).isNotEmpty();
	}

	@Test
	void validateRefusesABodyOfAnotherType() {
		Errors.outcome(Http.post(base + "/Patient/$validate", "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"}}"), 400);
		Errors.outcome(Http.post(base + "/Patient/$validate", "{\"resourceType\":\"Patient\","), 400);
	}

	/** Severity, expression and diagnostics of every issue, in a comparable order. */
	private static List<String> summary(OperationOutcome outcome) {
		return outcome.getIssue().stream()
				.map(i -> i.getSeverity().toCode() + " " + i.getExpression() + " " + i.getDiagnostics())
				.sorted().toList();
	}
}
