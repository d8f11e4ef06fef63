package org.spgateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.intake.TestNhsNumbers;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;

/**
 * Referrals in a partner's own JSON, posted to $partner-referral: Riverside adult social care's flat JSON becomes the gateway's
 * referral through its inbound map and then the same intake as any referral (validated, routed, queued with a Provenance,
 * recognised as a resend by the case reference). JSON the model does not describe, and a map's check that fails, answer 422
 * naming the field or the map and rule, and store nothing. The sandbox directory plus Meadowbank Surgery (A99911, its service DoS
 * 9000011) and the council (A99921).
 */
class PartnerJsonReferralIT {

	private static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	private static final String CASE = "https://riverside-council.example/Id/asc-case";

	private static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = GatewayServer.start("gateway.sandbox=true",
				"gateway.directory.seed-files=classpath:org/spgateway/mapping/intake/meadow-directory.json,"
						+ "classpath:org/spgateway/mapping/partner-json/riverside-directory.json");
	}

	@AfterAll
	static void stop() {
		gateway.close();
	}

	static String riverside(String nhs, String ref) {
		return Fixtures.text(PartnerJsonReferralIT.class, "partner-json/riverside-referral.json").replace("${NHS}", nhs).replace("${REF}", ref);
	}

	private static HttpResponse<String> post(String partner, String body) {
		return Http.post(gateway.baseUrl() + "/$partner-referral?partner=" + partner, body, "Content-Type", "application/json");
	}

	private static <T extends Resource> List<T> search(String query, Class<T> type) {
		HttpResponse<String> response = Http.get(gateway.baseUrl() + "/" + query);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Http.parse(response, Bundle.class).getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance)
				.map(type::cast).toList();
	}

	private static OperationOutcome.OperationOutcomeIssueComponent issue(HttpResponse<String> response) {
		return Http.parse(response, OperationOutcome.class).getIssueFirstRep();
	}

	@Test
	void aSocialWorkersJsonReferralGoesThroughIntakeInTheGatewaysShapeAndAResendStoresNothing() {
		String nhs = TestNhsNumbers.next();
		String ref = "ASC-" + UUID.randomUUID();
		HttpResponse<String> first = post("riverside-social-care", riverside(nhs, ref));
		assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
		Bundle answer = Http.parse(first, Bundle.class);
		assertThat(answer.getType()).isEqualTo(Bundle.BundleType.TRANSACTIONRESPONSE);
		assertThat(answer.getEntry().get(1).getResponse().getStatus()).isEqualTo("201 Created");
		String location = answer.getEntry().get(1).getResponse().getLocation().replaceAll("/_history/.*", "");

		ServiceRequest stored = Http.parse(Http.get(gateway.baseUrl() + "/" + location), ServiceRequest.class);
		assertThat(stored.getIdentifierFirstRep().getSystem()).isEqualTo(CASE);
		assertThat(stored.getIdentifierFirstRep().getValue()).isEqualTo(ref);
		assertThat(((Coding) stored.getExtensionByUrl("https://spgateway.org/fhir/StructureDefinition/sp-referral-source").getValue()).getCode())
				.isEqualTo("social-worker");
		assertThat(stored.getReasonCode().get(0).getCoding()).extracting(Coding::getSystem, Coding::getCode)
				.containsExactly(tuple("http://snomed.info/sct", "422650009"),
						tuple("https://riverside-council.example/CodeSystem/asc-referral-reason", "LONELY"));
		assertThat(stored.getNote()).extracting(n -> n.getText()).contains("Risk: Small dog at the property", "Referred by social worker Priya Raman");
		// Routed by the person's practice (Meadowbank Surgery) to the one service covering it.
		assertThat(stored.getPerformerFirstRep().getReference()).isEqualTo("HealthcareService/dos-9000011");
		List<Task> queue = search("Task?owner:identifier=" + ODS + "|X99901&status=requested&focus=" + location, Task.class);
		assertThat(queue).hasSize(1);
		assertThat(queue.get(0).getRequester().getIdentifier().getValue()).isEqualTo("A99921");
		assertThat(search("Provenance?target=" + location, Provenance.class)).hasSize(1);
		Patient person = search("Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|" + nhs, Patient.class).get(0);
		assertThat(person.getAddressFirstRep().getPostalCode()).isEqualTo("RV3 7QP");
		assertThat(person.getTelecom()).extracting(t -> t.getValue()).containsExactly("01632 960 114", "edith.marsh@example.org");

		HttpResponse<String> again = post("riverside-social-care", riverside(nhs, ref));
		assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
		assertThat(Http.parse(again, Bundle.class).getEntry().get(1).getResponse().getLocation()).startsWith(location + "/_history/1");
		assertThat(search("ServiceRequest?identifier=" + CASE + "|" + ref, ServiceRequest.class)).hasSize(1);
		assertThat(search("Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|" + nhs, Patient.class)).hasSize(1);
	}

	@Test
	void aSelfReferralFromAProvidersWebFormGoesThroughIntakeAndAResubmissionStoresNothing() {
		String nhs = TestNhsNumbers.next();
		String id = "NWP-FORM-" + UUID.randomUUID();
		String form = selfReferral(nhs, id, true);
		HttpResponse<String> first = post("northside-self-referral", form);
		assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
		String location = Http.parse(first, Bundle.class).getEntry().get(1).getResponse().getLocation().replaceAll("/_history/.*", "");
		ServiceRequest stored = Http.parse(Http.get(gateway.baseUrl() + "/" + location), ServiceRequest.class);
		assertThat(stored.getRequester().getReference()).isEqualTo(stored.getSubject().getReference()).startsWith("Patient/");
		assertThat(stored.getReasonCodeFirstRep().getText()).startsWith("Since I lost my job");
		assertThat(((Coding) stored.getExtensionByUrl("https://spgateway.org/fhir/StructureDefinition/sp-referral-source").getValue()).getCode())
				.isEqualTo("self");
		assertThat(search("Task?owner:identifier=" + ODS + "|X99901&status=requested&focus=" + location, Task.class)).hasSize(1);

		HttpResponse<String> again = post("northside-self-referral", form);
		assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
		assertThat(Http.parse(again, Bundle.class).getEntry().get(1).getResponse().getLocation()).startsWith(location + "/_history/1");
		assertThat(search("ServiceRequest?identifier=https://northside-wellbeing.example/Id/self-referral-form|" + id, ServiceRequest.class))
				.hasSize(1);
	}

	@Test
	void aSelfReferralWithoutConsentIsRefusedByTheMapsCheckAndNothingIsStored() {
		String nhs = TestNhsNumbers.next();
		String id = "NWP-FORM-" + UUID.randomUUID();
		HttpResponse<String> response = post("northside-self-referral", selfReferral(nhs, id, false));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
		assertThat(issue(response).getDiagnostics()).isEqualTo("The map NorthsideSelfReferralInbound"
				+ " (https://spgateway.org/fhir/StructureMap/northside-self-referral-inbound) failed at rule 'consentGiven':"
				+ " its check '$this = true' is not met");
		assertThat(search("Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|" + nhs, Patient.class)).isEmpty();
	}

	private static String selfReferral(String nhs, String id, boolean consent) {
		return Fixtures.text(PartnerJsonReferralIT.class, "golden/northside-self-referral-inbound/with-practice.input.json")
				.replace("9990000034", nhs).replace("NWP-FORM-20261203-0042", id).replace("\"consent\": true", "\"consent\": " + consent);
	}

	@Test
	void aFieldTheModelDoesNotHaveIsRefusedNamingItAndNothingIsStored() {
		String nhs = TestNhsNumbers.next();
		String ref = "ASC-" + UUID.randomUUID();
		HttpResponse<String> response = post("riverside-social-care", riverside(nhs, ref).replace("\"firstName\"", "\"forename\""));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
		assertThat(issue(response).getDiagnostics()).startsWith("'forename' is not a field of 'person'; its fields are nhsNumber, firstName");
		assertThat(issue(response).getExpression().get(0).getValue()).isEqualTo("person.forename");
		assertThat(search("ServiceRequest?identifier=" + CASE + "|" + ref, ServiceRequest.class)).isEmpty();
		assertThat(search("Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|" + nhs, Patient.class)).isEmpty();
	}

	@Test
	void aMapCheckThatFailsAtRunTimeAnswersWithTheMapAndRuleAndNothingIsStored() {
		String ref = "ASC-" + UUID.randomUUID();
		HttpResponse<String> response = post("riverside-social-care", riverside("999 000 0018", ref));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
		assertThat(issue(response).getDiagnostics()).isEqualTo("The map RiversideAscReferralInbound"
				+ " (https://spgateway.org/fhir/StructureMap/riverside-asc-referral-inbound) failed at rule 'nhsNumberIsTenDigits':"
				+ " its check 'matches('^[0-9]{10}$')' is not met");
		assertThat(search("ServiceRequest?identifier=" + CASE + "|" + ref, ServiceRequest.class)).isEmpty();
	}

	@Test
	void aReferralForAnOrganisationThePartnerDoesNotSpeakForIsRefused() {
		String ref = "ASC-" + UUID.randomUUID();
		HttpResponse<String> response = post("riverside-social-care", riverside(TestNhsNumbers.next(), ref)
				.replace("\"odsCode\": \"A99921\"", "\"odsCode\": \"A99911\""));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
		assertThat(issue(response).getDiagnostics()).contains("A99911, which Riverside adult social care case system does not speak for");
		assertThat(search("ServiceRequest?identifier=" + CASE + "|" + ref, ServiceRequest.class)).isEmpty();
	}

	@Test
	void aBodyThatIsNotJsonOrAPartnerWithoutAJsonReferralIsABadRequest() {
		HttpResponse<String> notJson = post("riverside-social-care", "caseReference=ASC-1");
		assertThat(notJson.statusCode()).as(notJson.body()).isEqualTo(400);
		assertThat(issue(notJson).getDiagnostics()).startsWith("The body is not JSON (line 1)");
		HttpResponse<String> meadow = post("meadow-gp", "{}");
		assertThat(meadow.statusCode()).as(meadow.body()).isEqualTo(400);
		assertThat(issue(meadow).getDiagnostics()).startsWith("Meadow GP system does not send referrals as its own JSON");
		HttpResponse<String> unknown = post("nobody", "{}");
		assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(400);
		assertThat(unknown.body()).contains("There is no partner 'nobody'");
	}

	@Test
	void onlyAClientOfTheFormsProviderMaySendItsSelfReferralsAndAnotherIsForbiddenNamingThePartner() {
		String nhs = TestNhsNumbers.next();
		String id = "NWP-FORM-" + UUID.randomUUID();
		String form = selfReferral(nhs, id, true);
		HttpResponse<String> gp = Http.post(gateway.baseUrl() + "/$partner-referral?partner=northside-self-referral", form,
				"Content-Type", "application/json", "Authorization", "Bearer " + gateway.tokenFor("demo-gp"));
		assertThat(gp.statusCode()).as(gp.body()).isEqualTo(403);
		assertThat(issue(gp).getCode()).isEqualTo(OperationOutcome.IssueType.FORBIDDEN);
		assertThat(issue(gp).getDiagnostics()).contains("northside-self-referral");
		assertThat(issue(gp).getExpression().get(0).getValue()).isEqualTo("partner");
		assertThat(search("ServiceRequest?identifier=https://northside-wellbeing.example/Id/self-referral-form|" + id, ServiceRequest.class))
				.isEmpty();

		// Northside Wellbeing Partnership (X99901) runs the form: its client may send what the form collected.
		HttpResponse<String> provider = Http.post(gateway.baseUrl() + "/$partner-referral?partner=northside-self-referral", form,
				"Content-Type", "application/json", "Authorization", "Bearer " + gateway.tokenFor("demo-provider"));
		assertThat(provider.statusCode()).as(provider.body()).isEqualTo(200);
		assertThat(search("ServiceRequest?identifier=https://northside-wellbeing.example/Id/self-referral-form|" + id, ServiceRequest.class))
				.hasSize(1);
	}
}
