package org.spgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Bundle.SearchEntryMode;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Questionnaire;
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
 * FHIR search over the index tables: each parameter type with the modifiers and prefixes the gateway
 * supports, _id, _lastUpdated, _sort, paging, _total, _include and _revinclude (with :iterate), and the
 * strict handling of parameters the gateway does not support.
 *
 * <p>All data of this class carries identifiers under one system made for this run, and every Patient
 * search is narrowed by it, so that what other test classes store on the shared gateway never matters.
 */
class SearchIT {

	private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
	private static final String S = "https://example.org/search-it/" + RUN;
	private static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	private static final String OWN = "identifier=" + S + "|";
	private static final String DIRECTORY_ORGANIZATION = "https://spgateway.org/fhir/Id/directory-organization";
	/** The provider of the sandbox service the referrals name (9000102). */
	private static final String PROVIDER = "Organization/vcs-0002";
	private static final String UKCORE_PATIENT = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient";
	private static final String UCUM = "http://unitsofmeasure.org";

	static GatewayServer gateway;
	static IGenericClient client;
	static String base;
	static Patient p1;
	static Patient p2;
	static Patient p3;
	static Organization org;
	static ServiceRequest sr1;
	static ServiceRequest sr2;
	static Task t1;
	static Task t2;
	static Condition c1;
	static Condition c2;
	static Condition c3;
	static Observation o1;
	static Observation o2;
	static Observation o3;
	static Questionnaire questionnaire;

	@BeforeAll
	static void store() {
		gateway = SharedGateway.get();
		client = gateway.client();
		base = gateway.baseUrl();

		org = create(new Organization().setName("Riverside Surgery " + RUN)
				.addIdentifier(new Identifier().setSystem(ODS).setValue("ORG-" + RUN)));

		Patient alice = new Patient();
		alice.getMeta().addProfile(UKCORE_PATIENT);
		alice.addIdentifier().setSystem(S).setValue("alice-" + RUN);
		alice.addName().setFamily("Smith").addGiven("Zoë");
		alice.setGender(AdministrativeGender.FEMALE).setBirthDateElement(new DateType("1960-05-10"));
		alice.addAddress().setCity("Leeds");
		alice.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue("07700 900001");
		alice.addGeneralPractitioner(new Reference().setIdentifier(new Identifier().setSystem(ODS).setValue("A1-" + RUN)));
		p1 = create(alice);

		Patient bob = new Patient();
		bob.addIdentifier().setSystem(S).setValue("bob-" + RUN);
		bob.addName().setFamily("Smithson").addGiven("Bob");
		bob.setGender(AdministrativeGender.MALE).setBirthDateElement(new DateType("1975-01-01"));
		bob.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue("07700 900002");
		bob.addGeneralPractitioner(new Reference("Organization/" + org.getIdPart()));
		p2 = createAfter(bob, p1);

		Patient cat = new Patient();
		cat.addIdentifier().setSystem(S).setValue("cat-" + RUN);
		cat.addName().setFamily("Jones").addGiven("Cat");
		cat.setActive(true).setBirthDateElement(new DateType("1990"));
		p3 = createAfter(cat, p2);

		sr1 = create(referral("sr1", p1, "2026-01-15T09:00:00Z", "self"));
		sr2 = create(referral("sr2", p2, "2026-03-01T09:00:00Z", "gp"));

		// Intake gave each referral its Task, owned by the service's provider (Organization/vcs-0002, which has no ODS code).
		t1 = taskOf(sr1);
		t2 = taskOf(sr2);
		assertThat(t2.getMeta().getLastUpdated()).as("t2 is stored after t1").isAfter(t1.getMeta().getLastUpdated());

		c1 = create(condition(p1, "44054006", "Type 2 diabetes mellitus"));
		c2 = create(condition(p1, "13645005", "Chronic obstructive lung disease"));
		c3 = create(condition(p2, "44054006", "Type 2 diabetes mellitus"));

		Observation first = observation(p1, 7.5, "mmol/L");
		first.addPerformer(new Reference().setIdentifier(new Identifier().setSystem(ODS).setValue("X-" + RUN)));
		o1 = create(first);
		Observation second = observation(p1, 12, "kg");
		second.addPerformer(new Reference("Organization/" + org.getIdPart())
				.setIdentifier(new Identifier().setSystem(ODS).setValue("ORG-" + RUN)));
		o2 = create(second);
		o3 = create(observation(p2, 5, "kg"));

		Questionnaire q = new Questionnaire().setUrl("https://example.org/search-it/" + RUN + "/Questionnaire/wellbeing")
				.setStatus(PublicationStatus.ACTIVE).setName("Wellbeing" + RUN.replace("-", ""));
		questionnaire = create(q);
	}

	private static ServiceRequest referral(String id, Patient subject, String authoredOn, String source) {
		ServiceRequest sr = new ServiceRequest();
		sr.addExtension("https://spgateway.org/fhir/StructureDefinition/sp-referral-source",
				new Coding("https://spgateway.org/fhir/CodeSystem/sp-referral-source", source, null));
		sr.addIdentifier().setSystem(S).setValue(id + "-" + RUN);
		sr.setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE).setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
		sr.setCode(new CodeableConcept(new Coding("http://snomed.info/sct", "871731000000106", "Referral to social prescribing service")));
		sr.setSubject(new Reference("Patient/" + subject.getIdPart()));
		sr.setAuthoredOnElement(new DateTimeType(authoredOn));
		sr.setRequester(new Reference("Organization/" + org.getIdPart()));
		// A referral intake can route: a service of the (sandbox) directory that takes anyone, and a reason.
		sr.addPerformer(new Reference().setIdentifier(new Identifier().setSystem("https://fhir.nhs.uk/Id/dos-service-id").setValue("9000102")));
		sr.addReasonCode().setText("Debt worries");
		return sr;
	}

	/** The Task referral intake created for {@code referral}. */
	private static Task taskOf(ServiceRequest referral) {
		Bundle found = client.search().byUrl("Task?focus=ServiceRequest/" + referral.getIdPart()).returnBundle(Bundle.class).execute();
		assertThat(found.getEntry()).hasSize(1);
		return (Task) found.getEntryFirstRep().getResource();
	}

	private static Condition condition(Patient subject, String code, String display) {
		Condition condition = new Condition();
		condition.setSubject(new Reference("Patient/" + subject.getIdPart()));
		condition.setCode(new CodeableConcept(new Coding("http://snomed.info/sct", code, display)));
		return condition;
	}

	private static Observation observation(Patient subject, double value, String unit) {
		Observation o = new Observation();
		o.setStatus(Observation.ObservationStatus.FINAL);
		o.setCode(new CodeableConcept(new Coding("http://loinc.org", "29463-7", "Body weight")));
		o.setSubject(new Reference("Patient/" + subject.getIdPart()));
		o.setValue(new Quantity().setValue(value).setSystem(UCUM).setCode(unit).setUnit(unit));
		return o;
	}

	@SuppressWarnings("unchecked")
	private static <T extends Resource> T create(T resource) {
		return (T) client.create().resource(resource).execute().getResource();
	}

	/** Creates a resource whose lastUpdated is strictly later than {@code earlier}'s, so that sorting by it is well defined. */
	private static <T extends Resource> T createAfter(T resource, Resource earlier) {
		T created = create(resource);
		while (!created.getMeta().getLastUpdated().after(earlier.getMeta().getLastUpdated())) {
			created = update(created);
		}
		return created;
	}

	@SuppressWarnings("unchecked")
	private static <T extends Resource> T update(T resource) {
		return (T) client.update().resource(resource).execute().getResource();
	}

	// ---------------------------------------------------------------- helpers

	private static Bundle search(String query, String... headers) {
		HttpResponse<String> response = Http.get(base + "/" + query, headers);
		assertThat(response.statusCode()).as("%s: %s", query, response.body()).isEqualTo(200);
		return Http.parse(response, Bundle.class);
	}

	private static List<String> matches(Bundle bundle) {
		return bundle.getEntry().stream().filter(e -> e.getSearch().getMode() == SearchEntryMode.MATCH)
				.map(e -> e.getResource().getIdElement().getIdPart()).toList();
	}

	private static List<String> included(Bundle bundle) {
		return bundle.getEntry().stream().filter(e -> e.getSearch().getMode() == SearchEntryMode.INCLUDE)
				.map(e -> e.getResource().fhirType() + "/" + e.getResource().getIdElement().getIdPart()).toList();
	}

	private static List<String> matches(String query, String... headers) {
		return matches(search(query, headers));
	}

	private static String id(Resource r) {
		return r.getIdElement().getIdPart();
	}

	private static String ref(Resource r) {
		return r.fhirType() + "/" + id(r);
	}

	// ---------------------------------------------------------------- token

	@Test
	void tokenBySystemAndCodeCodeOnlyOrSystemOnly() {
		assertThat(matches("Patient?identifier=" + S + "|alice-" + RUN)).containsExactly(id(p1));
		assertThat(matches("Patient?identifier=alice-" + RUN)).containsExactly(id(p1));
		assertThat(matches("Patient?" + OWN)).containsExactlyInAnyOrder(id(p1), id(p2), id(p3));
		assertThat(matches("Patient?" + OWN + "&gender=female")).containsExactly(id(p1));
		assertThat(matches("Patient?" + OWN + "&gender=http://hl7.org/fhir/administrative-gender|male")).containsExactly(id(p2));
		assertThat(matches("Patient?" + OWN + "&gender=http://example.org/other-system|male")).isEmpty();
		assertThat(matches("Condition?code=http://snomed.info/sct|44054006&subject=" + id(p1))).containsExactly(id(c1));
	}

	@Test
	void commaIsOrRepeatedParameterIsAnd() {
		assertThat(matches("Patient?" + OWN + "&gender=female,male")).containsExactlyInAnyOrder(id(p1), id(p2));
		assertThat(matches("Patient?" + OWN + "&gender=female&gender=male")).isEmpty();
		assertThat(matches("Patient?identifier=" + S + "|alice-" + RUN + "," + S + "|cat-" + RUN)).containsExactlyInAnyOrder(id(p1), id(p3));
	}

	@Test
	void tokenNotAndMissing() {
		// :not also matches resources that have no value at all (FHIR R4 search, token :not).
		assertThat(matches("Patient?" + OWN + "&gender:not=female")).containsExactlyInAnyOrder(id(p2), id(p3));
		assertThat(matches("Patient?" + OWN + "&gender:missing=true")).containsExactly(id(p3));
		assertThat(matches("Patient?" + OWN + "&gender:missing=false")).containsExactlyInAnyOrder(id(p1), id(p2));
		assertThat(matches("Patient?" + OWN + "&active=true")).containsExactly(id(p3));
	}

	@Test
	void customSearchParameterFromProfilesFolder() {
		assertThat(matches("ServiceRequest?identifier=" + S + "|&referral-source=https://spgateway.org/fhir/CodeSystem/sp-referral-source|self"))
				.containsExactly(id(sr1));
		assertThat(matches("ServiceRequest?identifier=" + S + "|&referral-source=gp")).containsExactly(id(sr2));
	}

	// ---------------------------------------------------------------- string

	@Test
	void stringStartsWithIgnoringCaseAndAccents() {
		assertThat(matches("Patient?" + OWN + "&name=smi")).containsExactlyInAnyOrder(id(p1), id(p2));
		assertThat(matches("Patient?" + OWN + "&name=SMITH")).containsExactlyInAnyOrder(id(p1), id(p2));
		assertThat(matches("Patient?" + OWN + "&given=zoe")).containsExactly(id(p1));
		assertThat(matches("Patient?" + OWN + "&name=mith")).isEmpty();
		assertThat(matches("Patient?" + OWN + "&family=smith&given=bob")).containsExactly(id(p2));
		assertThat(matches("Patient?" + OWN + "&address-city=leeds")).containsExactly(id(p1));
	}

	@Test
	void stringExactAndContains() {
		assertThat(matches("Patient?" + OWN + "&name:exact=Smith")).containsExactly(id(p1));
		assertThat(matches("Patient?" + OWN + "&name:exact=smith")).isEmpty();
		assertThat(matches("Patient?" + OWN + "&given:exact=Zo%C3%AB")).containsExactly(id(p1));
		assertThat(matches("Patient?" + OWN + "&name:contains=MITH")).containsExactlyInAnyOrder(id(p1), id(p2));
		assertThat(matches("Patient?" + OWN + "&name:contains=ones")).containsExactly(id(p3));
	}

	// ---------------------------------------------------------------- date

	@Test
	void dateEqualityIsRangeContainment() {
		assertThat(matches("Patient?" + OWN + "&birthdate=1960")).containsExactly(id(p1));
		assertThat(matches("Patient?" + OWN + "&birthdate=1960-05")).containsExactly(id(p1));
		assertThat(matches("Patient?" + OWN + "&birthdate=1960-05-10")).containsExactly(id(p1));
		assertThat(matches("Patient?" + OWN + "&birthdate=1960-05-11")).isEmpty();
		// A birth date known only to the year is not inside one month of it.
		assertThat(matches("Patient?" + OWN + "&birthdate=1990-06")).isEmpty();
		assertThat(matches("Patient?" + OWN + "&birthdate=1990")).containsExactly(id(p3));
		assertThat(matches("Patient?" + OWN + "&birthdate=ne1960")).containsExactlyInAnyOrder(id(p2), id(p3));
	}

	@Test
	void datePrefixes() {
		assertThat(matches("Patient?" + OWN + "&birthdate=ge1975")).containsExactlyInAnyOrder(id(p2), id(p3));
		assertThat(matches("Patient?" + OWN + "&birthdate=gt1975-01-01")).containsExactly(id(p3));
		assertThat(matches("Patient?" + OWN + "&birthdate=lt1975")).containsExactly(id(p1));
		assertThat(matches("Patient?" + OWN + "&birthdate=le1975-01-01")).containsExactlyInAnyOrder(id(p1), id(p2));
		assertThat(matches("Patient?" + OWN + "&birthdate=ge1970&birthdate=le1980")).containsExactly(id(p2));
		assertThat(matches("Patient?" + OWN + "&birthdate=sa1980")).containsExactly(id(p3));
		assertThat(matches("Patient?" + OWN + "&birthdate=eb1970")).containsExactly(id(p1));
		assertThat(matches("ServiceRequest?identifier=" + S + "|&authored=ge2026-02")).containsExactly(id(sr2));
		assertThat(matches("ServiceRequest?identifier=" + S + "|&authored=2026-01-15T09:00:00Z")).containsExactly(id(sr1));
	}

	// ---------------------------------------------------------------- reference

	@Test
	void referenceByTypedIdPlainIdAndTypeModifier() {
		assertThat(matches("Condition?subject=Patient/" + id(p1))).containsExactlyInAnyOrder(id(c1), id(c2));
		assertThat(matches("Condition?subject=" + id(p1))).containsExactlyInAnyOrder(id(c1), id(c2));
		assertThat(matches("Condition?subject:Patient=" + id(p1))).containsExactlyInAnyOrder(id(c1), id(c2));
		assertThat(matches("Condition?subject:Group=" + id(p1))).isEmpty();
		assertThat(matches("Condition?patient=" + id(p2))).containsExactly(id(c3));
		assertThat(matches("Task?focus=ServiceRequest/" + id(sr1))).containsExactly(id(t1));
		assertThat(matches("Task?patient=" + id(p2))).containsExactly(id(t2));
	}

	/**
	 * A Patient that subject and patient both give is stored once, as patient (docs/performance.md): subject searches, sorts,
	 * includes and :missing read both, and a subject that is not a Patient is found by subject alone.
	 */
	@Test
	void subjectFindsWhatItSharesWithPatientAndWhatIsItsAlone() {
		Location place = create(new Location().setName("Community garden " + RUN));
		Observation ofPlace = create(observation(p3, 3, "kg").setSubject(new Reference("Location/" + id(place))));
		String both = "Observation?_id=" + id(ofPlace) + "," + id(o3);
		assertThat(matches("Observation?subject=Location/" + id(place))).containsExactly(id(ofPlace));
		assertThat(matches("Observation?patient=Location/" + id(place))).isEmpty();
		assertThat(matches(both + "&subject:missing=false")).containsExactlyInAnyOrder(id(ofPlace), id(o3));
		assertThat(matches(both + "&patient:missing=true")).containsExactly(id(ofPlace));
		assertThat(matches(both + "&subject:Location=" + id(place))).containsExactly(id(ofPlace));
		assertThat(included(search(both + "&_include=Observation:subject"))).containsExactlyInAnyOrder(ref(place), ref(p2));
		assertThat(matches("ServiceRequest?subject=Patient/" + id(p1) + "&identifier=" + S + "|sr1-" + RUN)).containsExactly(id(sr1));
		assertThat(matches("Task?subject=" + id(p2) + "&_id=" + id(t1) + "," + id(t2))).containsExactly(id(t2));
		assertThat(included(search("Patient?_id=" + id(p2) + "&_revinclude=Task:subject"))).containsExactly(ref(t2));
	}

	/** Every reference parameter of the source type, found through the same index as a search by one (V102). */
	@Test
	void revincludeOfEveryParameterFindsWhatPointsAtTheMatches() {
		Bundle everything = search("ServiceRequest?_id=" + id(sr1) + "&_revinclude=Task:*");
		assertThat(included(everything)).containsExactly(ref(t1));
		Bundle conditions = search("Patient?_id=" + id(p1) + "&_revinclude=Condition:*");
		assertThat(included(conditions)).containsExactlyInAnyOrder(ref(c1), ref(c2));
		assertThat(included(search("Patient?_id=" + id(p3) + "&_revinclude=Observation:*"))).isEmpty();
	}

	@Test
	void referenceByTheIdentifierItCarries() {
		assertThat(matches("Observation?performer:identifier=" + ODS + "|X-" + RUN)).containsExactly(id(o1));
		// o2's performer has both a literal reference and an identifier: both find it.
		assertThat(matches("Observation?performer:identifier=" + ODS + "|ORG-" + RUN)).containsExactly(id(o2));
		assertThat(matches("Observation?performer=Organization/" + id(org))).containsExactly(id(o2));
		assertThat(matches("Observation?performer:identifier=X-" + RUN)).containsExactly(id(o1));
		assertThat(matches("Patient?general-practitioner:identifier=" + ODS + "|A1-" + RUN)).containsExactly(id(p1));
		// The Tasks' owner, as intake sets it: the provider's reference with its directory identifier; the system counts.
		String both = "Task?_id=" + id(t1) + "," + id(t2);
		assertThat(matches(both + "&owner:identifier=" + DIRECTORY_ORGANIZATION + "|VCS-0002")).containsExactlyInAnyOrder(id(t1), id(t2));
		assertThat(matches(both + "&owner=" + PROVIDER)).containsExactlyInAnyOrder(id(t1), id(t2));
		assertThat(matches(both + "&owner:identifier=" + ODS + "|VCS-0002")).isEmpty();
	}

	@Test
	void referenceMissing() {
		assertThat(matches("Patient?" + OWN + "&general-practitioner:missing=true")).containsExactly(id(p3));
		assertThat(matches("Patient?" + OWN + "&general-practitioner:missing=false")).containsExactlyInAnyOrder(id(p1), id(p2));
	}

	// ---------------------------------------------------------------- quantity, uri, _id

	@Test
	void quantityWithPrefixesPrecisionAndUnits() {
		String p1Obs = "Observation?subject=" + id(p1);
		assertThat(matches(p1Obs + "&value-quantity=7.5")).containsExactly(id(o1));
		// "7" means [6.5, 7.5): 7.5 is outside it.
		assertThat(matches(p1Obs + "&value-quantity=7")).isEmpty();
		assertThat(matches(p1Obs + "&value-quantity=gt10")).containsExactly(id(o2));
		assertThat(matches(p1Obs + "&value-quantity=le12")).containsExactlyInAnyOrder(id(o1), id(o2));
		assertThat(matches(p1Obs + "&value-quantity=lt20|" + UCUM + "|mmol/L")).containsExactly(id(o1));
		assertThat(matches(p1Obs + "&value-quantity=lt20||kg")).containsExactly(id(o2));
		assertThat(matches("Observation?subject=" + id(p2) + "&value-quantity=5|" + UCUM + "|kg")).containsExactly(id(o3));
	}

	@Test
	void uriExactAndBelow() {
		assertThat(matches("Questionnaire?url=" + questionnaire.getUrl())).containsExactly(id(questionnaire));
		assertThat(matches("Questionnaire?url:below=https://example.org/search-it/" + RUN + "/")).containsExactly(id(questionnaire));
		assertThat(matches("Questionnaire?url=https://example.org/search-it/" + RUN)).isEmpty();
		assertThat(matches("Patient?" + OWN + "&_profile=" + UKCORE_PATIENT)).containsExactly(id(p1));
	}

	@Test
	void byIdAndNotId() {
		assertThat(matches("Patient?_id=" + id(p1) + "," + id(p2))).containsExactlyInAnyOrder(id(p1), id(p2));
		assertThat(matches("Patient?" + OWN + "&_id:not=" + id(p1))).containsExactlyInAnyOrder(id(p2), id(p3));
		assertThat(matches("Patient?_id=" + UUID.randomUUID())).isEmpty();
	}

	// ---------------------------------------------------------------- _lastUpdated and _sort

	@Test
	void lastUpdatedRanges() {
		String first = p1.getMeta().getLastUpdatedElement().getValueAsString();
		String last = p3.getMeta().getLastUpdatedElement().getValueAsString();
		String middle = p2.getMeta().getLastUpdatedElement().getValueAsString();
		assertThat(matches("Patient?" + OWN + "&_lastUpdated=ge" + first)).containsExactlyInAnyOrder(id(p1), id(p2), id(p3));
		assertThat(matches("Patient?" + OWN + "&_lastUpdated=lt" + first)).isEmpty();
		assertThat(matches("Patient?" + OWN + "&_lastUpdated=gt" + last)).isEmpty();
		assertThat(matches("Patient?" + OWN + "&_lastUpdated=le" + middle)).containsExactlyInAnyOrder(id(p1), id(p2));
		assertThat(matches("Patient?" + OWN + "&_lastUpdated=gt" + first + "&_lastUpdated=lt" + last)).containsExactly(id(p2));
		assertThat(matches("Patient?" + OWN + "&_lastUpdated=ge2000-01-01")).hasSize(3);
	}

	@Test
	void sortByLastUpdatedBothWays() {
		assertThat(matches("Patient?" + OWN + "&_sort=_lastUpdated")).containsExactly(id(p1), id(p2), id(p3));
		assertThat(matches("Patient?" + OWN + "&_sort=-_lastUpdated")).containsExactly(id(p3), id(p2), id(p1));
	}

	@Test
	void sortByADateOrAStringParameter() {
		assertThat(matches("Patient?" + OWN + "&_sort=birthdate")).containsExactly(id(p1), id(p2), id(p3));
		assertThat(matches("Patient?" + OWN + "&_sort=-birthdate")).containsExactly(id(p3), id(p2), id(p1));
		assertThat(matches("Patient?" + OWN + "&_sort=family")).containsExactly(id(p3), id(p1), id(p2));
		assertThat(matches("ServiceRequest?identifier=" + S + "|&_sort=-authored")).containsExactly(id(sr2), id(sr1));
	}

	@Test
	void sortByAReferenceOrUnknownParameterIsRefused() {
		OperationOutcome outcome = Errors.outcome(Http.get(base + "/Patient?_sort=general-practitioner"), 400);
		assertThat(Errors.diagnostics(outcome.getIssue())).contains("Cannot sort Patient by 'general-practitioner'");
		Errors.outcome(Http.get(base + "/Patient?_sort=nonsense"), 400);
	}

	// ---------------------------------------------------------------- paging and totals

	@Test
	void nextLinksWalkEveryMatchOnceInOrder() {
		List<String> seen = new ArrayList<>();
		String url = base + "/Patient?" + OWN + "&_sort=birthdate&_count=1&_total=accurate";
		int pages = 0;
		while (url != null) {
			Bundle page = Http.parse(Http.get(url), Bundle.class);
			assertThat(page.getTotal()).isEqualTo(3);
			assertThat(page.getLink("self")).isNotNull();
			if (pages > 0) {
				assertThat(page.getLink("previous")).as("previous link on page %s", pages + 1).isNotNull();
			}
			seen.addAll(matches(page));
			url = page.getLink("next") == null ? null : page.getLink("next").getUrl();
			pages++;
		}
		assertThat(pages).isEqualTo(3);
		assertThat(seen).containsExactly(id(p1), id(p2), id(p3));
	}

	@Test
	void totalOnlyWhenAskedOrWhenKnownForFree() {
		Bundle firstOfSeveral = search("Patient?" + OWN + "&_count=2");
		assertThat(firstOfSeveral.hasTotal()).isFalse();
		assertThat(firstOfSeveral.getLink("next")).isNotNull();
		assertThat(search("Patient?" + OWN + "&_count=2&_total=accurate").getTotal()).isEqualTo(3);
		// The whole result on one page: the total costs nothing and is given.
		assertThat(search("Patient?" + OWN + "&_count=10").getTotal()).isEqualTo(3);
		Bundle countOnly = search("Patient?" + OWN + "&_count=0");
		assertThat(countOnly.getEntry()).isEmpty();
		assertThat(countOnly.getTotal()).isEqualTo(3);
	}

	@Test
	void badPagingValuesAreRefused() {
		Errors.outcome(Http.get(base + "/Patient?" + OWN + "&_count=many"), 400);
		Errors.outcome(Http.get(base + "/Patient?" + OWN + "&_count=-1"), 400);
		Errors.outcome(Http.get(base + "/Patient?" + OWN + "&_total=exact"), 400);
	}

	// ---------------------------------------------------------------- _include / _revinclude

	@Test
	void includeFollowsReferencesFromTheMatches() {
		Bundle focus = search("Task?_id=" + id(t1) + "&_include=Task:focus");
		assertThat(matches(focus)).containsExactly(id(t1));
		assertThat(included(focus)).containsExactly(ref(sr1));

		Bundle patient = search("Task?_id=" + id(t1) + "&_include=Task:patient");
		assertThat(included(patient)).containsExactly(ref(p1));

		Bundle typed = search("Task?_id=" + id(t1) + "&_include=Task:focus:ServiceRequest");
		assertThat(included(typed)).containsExactly(ref(sr1));

		Bundle all = search("Task?_id=" + id(t1) + "&_include=Task:*");
		assertThat(included(all)).containsExactlyInAnyOrder(ref(sr1), ref(p1), ref(org), PROVIDER);
	}

	@Test
	void includeIterateFollowsReferencesFromIncludedResources() {
		Bundle bundle = search("Task?_id=" + id(t1) + "&_include=Task:focus&_include:iterate=ServiceRequest:subject");
		assertThat(matches(bundle)).containsExactly(id(t1));
		assertThat(included(bundle)).containsExactlyInAnyOrder(ref(sr1), ref(p1));

		Bundle requester = search("Task?_id=" + id(t1) + "&_include=Task:focus&_include:iterate=ServiceRequest:requester");
		assertThat(included(requester)).containsExactlyInAnyOrder(ref(sr1), ref(org));
	}

	@Test
	void revincludeFindsResourcesPointingAtTheMatches() {
		Bundle tasks = search("ServiceRequest?_id=" + id(sr1) + "&_revinclude=Task:focus");
		assertThat(matches(tasks)).containsExactly(id(sr1));
		assertThat(included(tasks)).containsExactly(ref(t1));

		Bundle conditions = search("Patient?_id=" + id(p1) + "&_revinclude=Condition:subject");
		assertThat(included(conditions)).containsExactlyInAnyOrder(ref(c1), ref(c2));

		Bundle chain = search("Patient?_id=" + id(p1) + "&_revinclude=ServiceRequest:subject&_revinclude:iterate=Task:focus");
		assertThat(matches(chain)).containsExactly(id(p1));
		assertThat(included(chain)).containsExactlyInAnyOrder(ref(sr1), ref(t1));
	}

	@Test
	void includesBelongToTheirPage() {
		Bundle page = search("Task?_id=" + id(t1) + "," + id(t2) + "&_sort=_lastUpdated&_count=1&_include=Task:focus");
		assertThat(matches(page)).containsExactly(id(t1));
		assertThat(included(page)).containsExactly(ref(sr1));
		Bundle next = Http.parse(Http.get(page.getLink("next").getUrl()), Bundle.class);
		assertThat(matches(next)).containsExactly(id(t2));
		assertThat(included(next)).containsExactly(ref(sr2));
	}

	@Test
	void badIncludesAreRefused() {
		OperationOutcome notFromHere = Errors.outcome(Http.get(base + "/Task?_include=ServiceRequest:subject"), 400);
		assertThat(Errors.diagnostics(notFromHere.getIssue())).contains(":iterate");
		Errors.outcome(Http.get(base + "/Task?_include=Task:status"), 400);
		Errors.outcome(Http.get(base + "/Task?_include=Task"), 400);
	}

	// ---------------------------------------------------------------- what is not supported

	@Test
	void unknownParameterIsRefusedListingTheSupportedOnes() {
		OperationOutcome outcome = Errors.outcome(Http.get(base + "/Patient?" + OWN + "&favourite-colour=blue"), 400);
		assertThat(Errors.diagnostics(outcome.getIssue()))
				.contains("Unknown search parameter 'favourite-colour' for Patient")
				.contains("birthdate").contains("general-practitioner").contains("identifier").contains("_lastUpdated");
	}

	@Test
	void lenientHandlingIgnoresWhatIsNotSupported() {
		List<String> strict = matches("Patient?" + OWN);
		assertThat(matches("Patient?" + OWN + "&favourite-colour=blue", "Prefer", "handling=lenient")).isEqualTo(strict);
		assertThat(matches("Patient?" + OWN + "&name:sounds-like=smyth", "Prefer", "handling=lenient")).isEqualTo(strict);
		Errors.outcome(Http.get(base + "/Patient?" + OWN + "&name:sounds-like=smyth", "Prefer", "handling=strict"), 400);
	}

	@Test
	void unsupportedModifiersAndChainsAreRefused() {
		OperationOutcome modifier = Errors.outcome(Http.get(base + "/Patient?" + OWN + "&gender:text=female"), 400);
		assertThat(Errors.diagnostics(modifier.getIssue())).contains("Modifier ':text' is not supported").contains("missing").contains("not");
		Errors.outcome(Http.get(base + "/ServiceRequest?subject.name=smith"), 400);
		Errors.outcome(Http.get(base + "/Patient?_has:Condition:subject:code=44054006"), 400);
		Errors.outcome(Http.get(base + "/Patient?_text=smith"), 400);
	}

	@Test
	void malformedValuesAreRefused() {
		OperationOutcome date = Errors.outcome(Http.get(base + "/Patient?birthdate=10/05/1960"), 400);
		assertThat(Errors.diagnostics(date.getIssue())).contains("not a FHIR date search value");
		Errors.outcome(Http.get(base + "/Observation?value-quantity=heavy"), 400);
		Errors.outcome(Http.get(base + "/Patient?birthdate=xx1960"), 400);
	}

	@Test
	void searchByPostWithAFormBody() {
		HttpResponse<String> response = Http.send(HttpRequest.newBuilder(URI.create(base + "/Patient/_search"))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString("identifier=" + java.net.URLEncoder.encode(S + "|", java.nio.charset.StandardCharsets.UTF_8)
						+ "&gender=female")));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(matches(Http.parse(response, Bundle.class))).containsExactly(id(p1));
	}

	@Test
	void searchThroughTheGenericClient() {
		Bundle bundle = client.search().forResource(Patient.class)
				.where(Patient.IDENTIFIER.exactly().systemAndCode(S, "bob-" + RUN))
				.returnBundle(Bundle.class).execute();
		assertThat(bundle.getEntry()).extracting(BundleEntryComponent::getResource).extracting(r -> r.getIdElement().getIdPart())
				.containsExactly(id(p2));
	}
}
