package org.spgateway.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Bundle.BundleType;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.Errors;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/**
 * Transaction and batch Bundles: references between entries (urn:uuid and conditional), conditional
 * create, all-or-nothing transactions (checked by searching for what an aborted transaction would
 * have written), and batches whose entries succeed or fail on their own.
 */
class TransactionProcessorIT {

	private static final String S = "https://example.org/transaction-it";
	private static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";

	static GatewayServer gateway;
	static IGenericClient client;
	static String base;

	@BeforeAll
	static void start() {
		gateway = SharedGateway.get();
		client = gateway.client();
		base = gateway.baseUrl();
	}

	// ---------------------------------------------------------------- builders

	private static String unique() {
		return UUID.randomUUID().toString();
	}

	private static String urn() {
		return "urn:uuid:" + UUID.randomUUID();
	}

	private static Patient patient(String identifier) {
		Patient p = new Patient();
		p.addIdentifier().setSystem(S).setValue(identifier);
		p.addName().setFamily("Transact");
		// No NHS number: enough for referral intake to reach the person (name, birth date, phone).
		p.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1970-01-01"));
		p.addTelecom().setSystem(org.hl7.fhir.r4.model.ContactPoint.ContactPointSystem.PHONE).setValue("07700 900000");
		return p;
	}

	private static ServiceRequest referral(String identifier, String subject) {
		ServiceRequest sr = new ServiceRequest();
		sr.addIdentifier().setSystem(S).setValue(identifier);
		sr.setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE).setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
		sr.setCode(new CodeableConcept(new Coding("http://snomed.info/sct", "871731000000106", "Referral to social prescribing service")));
		sr.setSubject(new Reference(subject));
		sr.setAuthoredOnElement(new DateTimeType("2026-11-20T10:15:00Z"));
		sr.setRequester(new Reference().setIdentifier(new Identifier().setSystem(ODS).setValue("A99901")));
		// A referral intake can route: a service of the (sandbox) directory that takes anyone, and a reason.
		sr.addPerformer(new Reference().setIdentifier(new Identifier().setSystem("https://fhir.nhs.uk/Id/dos-service-id").setValue("9000102")));
		sr.addReasonCode().setText("Debt worries");
		return sr;
	}

	/** A score recorded for the referral (basedOn) about the person (subject). */
	private static Observation score(String referral, String patient) {
		Observation o = new Observation();
		o.setStatus(Observation.ObservationStatus.FINAL);
		o.setCode(new CodeableConcept(new Coding("http://snomed.info/sct", "718466001", "SWEMWBS score")));
		o.addBasedOn(new Reference(referral));
		o.setSubject(new Reference(patient));
		o.setValue(new IntegerType(23));
		return o;
	}

	private static Bundle bundle(BundleType type) {
		return new Bundle().setType(type);
	}

	private static BundleEntryComponent post(Bundle bundle, String fullUrl, Resource resource) {
		BundleEntryComponent entry = bundle.addEntry().setResource(resource);
		if (fullUrl != null) {
			entry.setFullUrl(fullUrl);
		}
		entry.getRequest().setMethod(HTTPVerb.POST).setUrl(resource.fhirType());
		return entry;
	}

	private static BundleEntryComponent put(Bundle bundle, String url, Resource resource) {
		BundleEntryComponent entry = bundle.addEntry().setResource(resource);
		entry.getRequest().setMethod(HTTPVerb.PUT).setUrl(url);
		return entry;
	}

	private static HttpResponse<String> send(Bundle bundle, String... headers) {
		return Http.post(base, Http.json(bundle), headers);
	}

	private static Bundle ok(Bundle bundle, String... headers) {
		HttpResponse<String> response = send(bundle, headers);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Http.parse(response, Bundle.class);
	}

	/** "Patient/abc/_history/1" to "Patient/abc". */
	private static String versionless(String location) {
		return location.replaceAll("/_history/.*$", "");
	}

	private static <T extends Resource> T read(Class<T> type, String location) {
		return client.read().resource(type).withUrl(versionless(location)).execute();
	}

	private static int count(String type, String identifier) {
		Bundle found = client.search().byUrl(type + "?identifier=" + S + "|" + identifier + "&_total=accurate").returnBundle(Bundle.class).execute();
		return found.getTotal();
	}

	private static String createPatient(String identifier) {
		return "Patient/" + client.create().resource(patient(identifier)).execute().getId().getIdPart();
	}

	// ---------------------------------------------------------------- references between entries

	@Test
	void urnUuidReferencesAreResolvedToTheNewResources() {
		String patientUrn = urn();
		String referralUrn = urn();
		Bundle tx = bundle(BundleType.TRANSACTION);
		post(tx, patientUrn, patient(unique()));
		post(tx, referralUrn, referral(unique(), patientUrn));
		post(tx, urn(), score(referralUrn, patientUrn));

		Bundle response = ok(tx);
		assertThat(response.getType()).isEqualTo(BundleType.TRANSACTIONRESPONSE);
		assertThat(response.getEntry()).extracting(e -> e.getResponse().getStatus()).containsExactly("201 Created", "201 Created", "201 Created");
		String patient = versionless(response.getEntry().get(0).getResponse().getLocation());
		String referral = versionless(response.getEntry().get(1).getResponse().getLocation());
		assertThat(patient).startsWith("Patient/");
		assertThat(referral).startsWith("ServiceRequest/");

		Observation score = read(Observation.class, response.getEntry().get(2).getResponse().getLocation());
		assertThat(score.getBasedOnFirstRep().getReference()).isEqualTo(referral);
		assertThat(score.getSubject().getReference()).isEqualTo(patient);
		assertThat(read(ServiceRequest.class, referral).getSubject().getReference()).isEqualTo(patient);
		// The Task intake made from the referral in the same transaction names the resolved ids too.
		Bundle tasks = client.search().byUrl("Task?focus=" + referral).returnBundle(Bundle.class).execute();
		assertThat(tasks.getEntry()).hasSize(1);
		assertThat(((Task) tasks.getEntryFirstRep().getResource()).getFor().getReference()).isEqualTo(patient);
	}

	@Test
	void entriesWithoutFullUrlAreAccepted() {
		// FHIR R4 Bundle.entry.fullUrl: may be left out on a POST that nothing else in the Bundle refers to.
		String patient = createPatient(unique());
		Bundle tx = bundle(BundleType.TRANSACTION);
		String identifier = unique();
		post(tx, null, referral(identifier, patient));
		post(tx, null, new Condition().setSubject(new Reference(patient))
				.setCode(new CodeableConcept(new Coding("http://snomed.info/sct", "44054006", null))));
		Bundle response = ok(tx);
		assertThat(response.getEntry()).hasSize(2);
		assertThat(count("ServiceRequest", identifier)).isEqualTo(1);
	}

	@Test
	void conditionalReferenceResolvesToAStoredResource() {
		String nhs = unique();
		String patient = createPatient(nhs);
		Bundle tx = bundle(BundleType.TRANSACTION);
		post(tx, urn(), referral(unique(), "Patient?identifier=" + S + "|" + nhs));
		Bundle response = ok(tx);
		ServiceRequest stored = read(ServiceRequest.class, response.getEntryFirstRep().getResponse().getLocation());
		assertThat(stored.getSubject().getReference()).isEqualTo(patient);
	}

	@Test
	void conditionalReferenceResolvesToAnEntryOfTheSameTransaction() {
		String nhs = unique();
		Bundle tx = bundle(BundleType.TRANSACTION);
		post(tx, urn(), patient(nhs)).getRequest().setIfNoneExist("identifier=" + S + "|" + nhs);
		post(tx, urn(), referral(unique(), "Patient?identifier=" + S + "|" + nhs));
		Bundle response = ok(tx);
		String patient = versionless(response.getEntry().get(0).getResponse().getLocation());
		ServiceRequest stored = read(ServiceRequest.class, response.getEntry().get(1).getResponse().getLocation());
		assertThat(stored.getSubject().getReference()).isEqualTo(patient);
		assertThat(count("Patient", nhs)).isEqualTo(1);
	}

	@Test
	void conditionalReferenceMayBeUrlEncoded() {
		String nhs = unique();
		Bundle tx = bundle(BundleType.TRANSACTION);
		post(tx, urn(), patient(nhs)).getRequest().setIfNoneExist("identifier=" + S + "|" + nhs);
		String encoded = "identifier=" + java.net.URLEncoder.encode(S + "|" + nhs, StandardCharsets.UTF_8);
		post(tx, urn(), referral(unique(), "Patient?" + encoded));
		Bundle response = ok(tx);
		String patient = versionless(response.getEntry().get(0).getResponse().getLocation());
		assertThat(read(ServiceRequest.class, response.getEntry().get(1).getResponse().getLocation()).getSubject().getReference()).isEqualTo(patient);
	}

	@Test
	void conditionalCreateInATransactionReusesTheMatch() {
		String nhs = unique();
		String existing = createPatient(nhs);
		String patientUrn = urn();
		Bundle tx = bundle(BundleType.TRANSACTION);
		post(tx, patientUrn, patient(nhs)).getRequest().setIfNoneExist("identifier=" + S + "|" + nhs);
		post(tx, urn(), referral(unique(), patientUrn));
		Bundle response = ok(tx);
		assertThat(response.getEntry().get(0).getResponse().getStatus()).isEqualTo("200 OK");
		assertThat(versionless(response.getEntry().get(0).getResponse().getLocation())).isEqualTo(existing);
		assertThat(response.getEntry().get(1).getResponse().getStatus()).isEqualTo("201 Created");
		assertThat(read(ServiceRequest.class, response.getEntry().get(1).getResponse().getLocation()).getSubject().getReference())
				.isEqualTo(existing);
		assertThat(count("Patient", nhs)).isEqualTo(1);
	}

	@Test
	void aResentTransactionFindsWhatItsConditionalMatchReferredToInsteadOfStoringItAgain() {
		String patient = createPatient(unique());
		String problem = unique();
		String note = "Observation " + unique();
		java.util.function.Supplier<Bundle> transaction = () -> {
			Bundle tx = bundle(BundleType.TRANSACTION);
			String observationUrn = urn();
			org.hl7.fhir.r4.model.Condition condition = new org.hl7.fhir.r4.model.Condition();
			condition.addIdentifier().setSystem(S).setValue(problem);
			condition.setSubject(new Reference(patient));
			condition.setCode(new CodeableConcept().setText("Social isolation"));
			condition.addEvidence().addDetail(new Reference(observationUrn));
			post(tx, urn(), condition).getRequest().setIfNoneExist("identifier=" + S + "|" + problem);
			org.hl7.fhir.r4.model.Observation observation = new org.hl7.fhir.r4.model.Observation();
			observation.setStatus(org.hl7.fhir.r4.model.Observation.ObservationStatus.FINAL);
			observation.setCode(new CodeableConcept().setText("Loneliness screen"));
			observation.setSubject(new Reference(patient));
			observation.setValue(new org.hl7.fhir.r4.model.StringType(note));
			post(tx, observationUrn, observation);
			return tx;
		};
		Bundle first = ok(transaction.get());

		Bundle again = ok(transaction.get(), "Prefer", "return=OperationOutcome");

		assertThat(again.getEntry()).extracting(e -> e.getResponse().getStatus()).containsExactly("200 OK", "200 OK");
		assertThat(versionless(again.getEntry().get(1).getResponse().getLocation()))
				.isEqualTo(versionless(first.getEntry().get(1).getResponse().getLocation()));
		Bundle observations = client.search().byUrl("Observation?subject=" + patient).returnBundle(Bundle.class).execute();
		assertThat(observations.getEntry()).hasSize(1);
	}

	@Test
	void conditionalUpdateAndPatchInATransaction() {
		String nhs = unique();
		String existing = createPatient(nhs);
		Bundle tx = bundle(BundleType.TRANSACTION);
		Patient replacement = patient(nhs).setGender(AdministrativeGender.OTHER);
		put(tx, "Patient?identifier=" + S + "|" + nhs, replacement);
		Binary patch = new Binary().setContentType("application/json-patch+json");
		patch.setData("[{\"op\":\"add\",\"path\":\"/active\",\"value\":true}]".getBytes(StandardCharsets.UTF_8));
		BundleEntryComponent patchEntry = tx.addEntry().setResource(patch);
		patchEntry.getRequest().setMethod(HTTPVerb.PATCH).setUrl(existing);
		Bundle response = ok(tx);
		assertThat(response.getEntry()).extracting(e -> e.getResponse().getStatus()).containsExactly("200 OK", "200 OK");
		Patient stored = read(Patient.class, existing);
		assertThat(stored.getGender()).isEqualTo(AdministrativeGender.OTHER);
		assertThat(stored.getActive()).isTrue();
		assertThat(stored.getMeta().getVersionId()).isEqualTo("3");
	}

	@Test
	void readsAndSearchesInATransactionSeeItsWrites() {
		String nhs = unique();
		Bundle tx = bundle(BundleType.TRANSACTION);
		post(tx, urn(), patient(nhs));
		tx.addEntry().getRequest().setMethod(HTTPVerb.GET).setUrl("Patient?identifier=" + S + "|" + nhs);
		Bundle response = ok(tx);
		Bundle searchset = (Bundle) response.getEntry().get(1).getResource();
		assertThat(searchset.getEntry()).hasSize(1);
		assertThat(versionless(response.getEntry().get(0).getResponse().getLocation()))
				.isEqualTo("Patient/" + searchset.getEntryFirstRep().getResource().getIdElement().getIdPart());
	}

	@Test
	void preferReturnRepresentationAndOperationOutcome() {
		Bundle tx = bundle(BundleType.TRANSACTION);
		Patient ukCore = patient(unique());
		ukCore.getMeta().addProfile("https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient");
		post(tx, urn(), ukCore);
		Bundle representation = ok(tx, "Prefer", "return=representation");
		Patient stored = (Patient) representation.getEntryFirstRep().getResource();
		assertThat(stored.getMeta().getVersionId()).isEqualTo("1");

		Bundle again = bundle(BundleType.TRANSACTION);
		Patient other = patient(unique());
		other.getMeta().addProfile("https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient");
		post(again, urn(), other);
		Bundle outcomes = ok(again, "Prefer", "return=OperationOutcome");
		OperationOutcome outcome = (OperationOutcome) outcomes.getEntryFirstRep().getResponse().getOutcome();
		assertThat(Errors.expressions(Errors.warnings(outcome))).contains("Bundle.entry[0].resource.meta.profile[0]");
	}

	// ---------------------------------------------------------------- all or nothing

	@Test
	void aTransactionFailingOnALaterEntryLeavesNothingBehind() {
		String existing = createPatient(unique());
		Patient current = read(Patient.class, existing);
		current.setGender(AdministrativeGender.FEMALE);
		client.update().resource(current).execute();

		String a = unique();
		String b = unique();
		String patientUrn = urn();
		Bundle tx = bundle(BundleType.TRANSACTION);
		post(tx, patientUrn, patient(a));
		post(tx, urn(), referral(b, patientUrn));
		Patient stale = read(Patient.class, existing).setGender(AdministrativeGender.MALE);
		put(tx, existing, stale).getRequest().setIfMatch("W/\"1\"");

		OperationOutcome outcome = Errors.outcome(send(tx), 412);
		assertThat(Errors.diagnostics(outcome.getIssue())).contains("Bundle.entry[2]").contains("current version is 2");
		assertThat(Errors.expressions(outcome.getIssue())).contains("Bundle.entry[2]");
		assertThat(count("Patient", a)).isZero();
		assertThat(count("ServiceRequest", b)).isZero();
		Patient after = read(Patient.class, existing);
		assertThat(after.getMeta().getVersionId()).isEqualTo("2");
		assertThat(after.getGender()).isEqualTo(AdministrativeGender.FEMALE);
	}

	@Test
	void anInvalidLastEntryRejectsTheWholeTransaction() {
		String a = unique();
		String b = unique();
		String patientUrn = urn();
		Bundle tx = bundle(BundleType.TRANSACTION);
		post(tx, patientUrn, patient(a));
		post(tx, urn(), referral(b, patientUrn));
		Observation noStatus = new Observation();
		noStatus.setCode(new CodeableConcept().setText("Weight"));
		noStatus.setSubject(new Reference(patientUrn));
		post(tx, urn(), noStatus);

		OperationOutcome outcome = Errors.outcome(send(tx), 422);
		assertThat(Errors.diagnostics(Errors.errors(outcome))).contains("Observation.status");
		assertThat(Errors.expressions(Errors.errors(outcome))).allMatch(e -> e.startsWith("Bundle.entry[2]"));
		assertThat(count("Patient", a)).isZero();
		assertThat(count("ServiceRequest", b)).isZero();
	}

	@Test
	void everyEntryIsCheckedAgainstItsTypesProfileAndEveryProblemIsReportedAtOnce() {
		String a = unique();
		String body = """
				{"resourceType":"Bundle","type":"transaction","entry":[
				 {"fullUrl":"urn:uuid:0b4cf1a4-7d4e-4f57-9f0e-5a3c0c0a0001",
				  "resource":{"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765918"},
				   {"system":"%s","value":"%s"}],"name":[{"family":"Entry"}]},
				  "request":{"method":"POST","url":"Patient"}},
				 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"Weight"},"colour":"blue",
				   "subject":{"reference":"urn:uuid:0b4cf1a4-7d4e-4f57-9f0e-5a3c0c0a0001"}},
				  "request":{"method":"POST","url":"Observation"}},
				 {"resource":{"resourceType":"Observation","code":{"text":"Height"}},"request":{"method":"POST","url":"Observation"}}]}
				""".formatted(S, a);

		OperationOutcome outcome = Errors.outcome(Http.post(base, body), 422);
		List<String> expressions = Errors.expressions(Errors.errors(outcome));
		// The Patient against sp-patient (the NHS number's check digit), the unknown element where it stands,
		// the third entry's missing status.
		assertThat(expressions).contains("Bundle.entry[0].resource.identifier[0]", "Bundle.entry[1].resource.colour",
				"Bundle.entry[2].resource.status");
		assertThat(count("Patient", a)).isZero();
	}

	@Test
	void aConditionalReferenceToTheWrongTypeIsRejectedBeforeAnythingIsResolved() {
		String b = unique();
		Bundle tx = bundle(BundleType.TRANSACTION);
		String organisation = "Organization?identifier=" + ODS + "|A99901";
		post(tx, urn(), referral(b, organisation));

		OperationOutcome outcome = Errors.outcome(send(tx), 422);
		assertThat(Errors.expressions(Errors.errors(outcome))).contains("Bundle.entry[0].resource.subject");
		// The caller's own reference in the words, not the stand-in the validator checked.
		assertThat(Errors.diagnostics(Errors.errors(outcome))).contains(organisation).doesNotContain("conditional-reference-");
		assertThat(count("ServiceRequest", b)).isZero();
	}

	@Test
	void aConditionalReferenceMatchingNothingRejectsTheWholeTransaction() {
		String a = unique();
		String b = unique();
		Bundle tx = bundle(BundleType.TRANSACTION);
		post(tx, urn(), patient(a));
		post(tx, urn(), referral(b, "Patient?identifier=" + S + "|nobody-" + unique()));

		HttpResponse<String> response = send(tx);
		OperationOutcome outcome = Errors.outcome(response, response.statusCode());
		assertThat(response.statusCode()).isIn(404, 412, 422);
		assertThat(Errors.diagnostics(outcome.getIssue())).contains("Bundle.entry[1]").contains("matches 0 resources");
		assertThat(count("Patient", a)).isZero();
		assertThat(count("ServiceRequest", b)).isZero();
	}

	@Test
	void aConditionalReferenceMatchingSeveralRejectsTheWholeTransaction() {
		String shared = unique();
		createPatient(shared);
		createPatient(shared);
		String b = unique();
		Bundle tx = bundle(BundleType.TRANSACTION);
		post(tx, urn(), referral(b, "Patient?identifier=" + S + "|" + shared));
		OperationOutcome outcome = Errors.outcome(send(tx), 412);
		assertThat(Errors.diagnostics(outcome.getIssue())).contains("Bundle.entry[0]").contains("matches 2 resources");
		assertThat(count("ServiceRequest", b)).isZero();
	}

	@Test
	void anUnresolvableUrnRejectsTheWholeTransaction() {
		String a = unique();
		Bundle tx = bundle(BundleType.TRANSACTION);
		post(tx, urn(), patient(a));
		post(tx, urn(), referral(unique(), urn()));
		OperationOutcome outcome = Errors.outcome(send(tx), 422);
		assertThat(Errors.diagnostics(outcome.getIssue())).contains("Bundle.entry[1]").contains("does not match the fullUrl of any entry");
		assertThat(count("Patient", a)).isZero();
	}

	@Test
	void deleteIsRefused() {
		String existing = createPatient(unique());
		String a = unique();
		Bundle tx = bundle(BundleType.TRANSACTION);
		post(tx, urn(), patient(a));
		tx.addEntry().getRequest().setMethod(HTTPVerb.DELETE).setUrl(existing);
		OperationOutcome outcome = Errors.outcome(send(tx), 405);
		assertThat(Errors.diagnostics(outcome.getIssue())).contains("Bundle.entry[1]").contains("entered-in-error");
		assertThat(count("Patient", a)).isZero();
		assertThat(read(Patient.class, existing).getMeta().getVersionId()).isEqualTo("1");
	}

	@Test
	void entriesReachOnlyTheTypesTheGatewayServes() {
		String a = unique();
		Bundle tx = bundle(BundleType.TRANSACTION);
		post(tx, urn(), patient(a));
		post(tx, urn(), new org.hl7.fhir.r4.model.Basic().setCode(new CodeableConcept().setText("not served")));
		OperationOutcome outcome = Errors.outcome(send(tx), 404);
		assertThat(Errors.diagnostics(outcome.getIssue())).contains("Bundle.entry[1]").contains("does not serve Basic");
		assertThat(count("Patient", a)).isZero();

		Bundle batch = bundle(BundleType.BATCH);
		post(batch, urn(), new org.hl7.fhir.r4.model.Basic().setCode(new CodeableConcept().setText("not served")));
		batch.addEntry().getRequest().setMethod(HTTPVerb.GET).setUrl("Basic?code=x");
		batch.addEntry().getRequest().setMethod(HTTPVerb.GET).setUrl("Bundle/123");
		post(batch, urn(), new org.hl7.fhir.r4.model.CodeSystem().setStatus(org.hl7.fhir.r4.model.Enumerations.PublicationStatus.DRAFT)
				.setContent(org.hl7.fhir.r4.model.CodeSystem.CodeSystemContentMode.COMPLETE));
		Bundle response = ok(batch);
		assertThat(response.getEntry()).extracting(e -> e.getResponse().getStatus())
				.containsExactly("404 Not Found", "404 Not Found", "404 Not Found", "405 Method Not Allowed");
		for (BundleEntryComponent entry : response.getEntry()) {
			Errors.assertNoInternals(Http.json(entry.getResponse().getOutcome()));
		}
	}

	@Test
	void onlyTransactionsAndBatchesArePosted() {
		Bundle collection = bundle(BundleType.COLLECTION);
		collection.addEntry().setResource(patient(unique()));
		OperationOutcome outcome = Errors.outcome(send(collection), 400);
		assertThat(Errors.expressions(outcome.getIssue())).containsExactly("Bundle.type");
	}

	@Test
	void anEntryWithoutRequestIsRefused() {
		Bundle tx = bundle(BundleType.TRANSACTION);
		tx.addEntry().setFullUrl(urn()).setResource(patient(unique()));
		OperationOutcome outcome = Errors.outcome(send(tx), 400);
		assertThat(Errors.diagnostics(outcome.getIssue())).contains("request.method and request.url");
		assertThat(Errors.expressions(outcome.getIssue())).containsExactly("Bundle.entry[0].request");
	}

	// ---------------------------------------------------------------- batch

	@Test
	void batchEntriesSucceedOrFailOnTheirOwn() {
		String existing = createPatient(unique());
		Patient current = read(Patient.class, existing);
		client.update().resource(current.setGender(AdministrativeGender.FEMALE)).execute();

		String good = unique();
		Bundle batch = bundle(BundleType.BATCH);
		post(batch, urn(), patient(good));
		Observation noStatus = new Observation();
		noStatus.setCode(new CodeableConcept().setText("Weight"));
		post(batch, urn(), noStatus);
		put(batch, existing, read(Patient.class, existing).setGender(AdministrativeGender.MALE)).getRequest().setIfMatch("W/\"1\"");
		String alsoGood = unique();
		post(batch, urn(), referral(alsoGood, existing));

		Bundle response = ok(batch);
		assertThat(response.getType()).isEqualTo(BundleType.BATCHRESPONSE);
		List<String> statuses = response.getEntry().stream().map(e -> e.getResponse().getStatus()).toList();
		assertThat(statuses).containsExactly("201 Created", "422 Unprocessable Entity", "412 Precondition Failed", "201 Created");

		OperationOutcome invalid = (OperationOutcome) response.getEntry().get(1).getResponse().getOutcome();
		assertThat(Errors.expressions(Errors.errors(invalid))).allMatch(e -> e.startsWith("Bundle.entry[1]"));
		assertThat(Errors.diagnostics(Errors.errors(invalid))).contains("Observation.status");
		OperationOutcome stale = (OperationOutcome) response.getEntry().get(2).getResponse().getOutcome();
		assertThat(Errors.diagnostics(stale.getIssue())).contains("current version is 2");

		assertThat(count("Patient", good)).isEqualTo(1);
		assertThat(count("ServiceRequest", alsoGood)).isEqualTo(1);
		assertThat(read(Patient.class, existing).getGender()).isEqualTo(AdministrativeGender.FEMALE);
	}

	@Test
	void batchEntriesCannotReferToEachOther() {
		String patientUrn = urn();
		String a = unique();
		Bundle batch = bundle(BundleType.BATCH);
		post(batch, patientUrn, patient(a));
		post(batch, urn(), referral(unique(), patientUrn));
		Bundle response = ok(batch);
		assertThat(response.getEntry().get(0).getResponse().getStatus()).isEqualTo("201 Created");
		assertThat(response.getEntry().get(1).getResponse().getStatus()).isEqualTo("422 Unprocessable Entity");
		assertThat(Errors.diagnostics(((OperationOutcome) response.getEntry().get(1).getResponse().getOutcome()).getIssue()))
				.contains("send a transaction instead");
		assertThat(count("Patient", a)).isEqualTo(1);
	}

	@Test
	void batchResolvesConditionalReferencesToStoredResources() {
		String nhs = unique();
		String patient = createPatient(nhs);
		Bundle batch = bundle(BundleType.BATCH);
		post(batch, urn(), referral(unique(), "Patient?identifier=" + S + "|" + nhs));
		Bundle response = ok(batch);
		assertThat(read(ServiceRequest.class, response.getEntryFirstRep().getResponse().getLocation()).getSubject().getReference())
				.isEqualTo(patient);
	}
}
