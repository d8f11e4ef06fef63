package org.spgateway.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Period;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;

/**
 * The directory managed through the API, on a sandbox gateway of its own (these tests change the demo
 * services): changes reach routing at once, duplicates are matched, unusable rules are refused.
 */
class ServiceDirectoryIT {

	static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = GatewayServer.start("gateway.sandbox=true");
	}

	@AfterAll
	static void stop() {
		gateway.stop();
	}

	static String json(org.hl7.fhir.r4.model.Resource r) {
		return GatewayServer.fhirContext().newJsonParser().encodeResourceToString(r);
	}

	static HttpResponse<String> referTo(String dosId, String practice, String nhs) {
		String body = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"fullUrl\":\"urn:uuid:5b0f4c2e-1111-4c4e-9d38-1f3a7c9e0a01\","
				+ "\"resource\":{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"https://fhir.nhs.uk/Id/nhs-number\",\"value\":\"" + nhs + "\"}],"
				+ "\"name\":[{\"family\":\"Ng\",\"given\":[\"Lee\"]}],\"birthDate\":\"1980-05-05\"},"
				+ "\"request\":{\"method\":\"POST\",\"url\":\"Patient\",\"ifNoneExist\":\"identifier=https://fhir.nhs.uk/Id/nhs-number|" + nhs + "\"}},"
				+ "{\"fullUrl\":\"urn:uuid:5b0f4c2e-1111-4c4e-9d38-1f3a7c9e0a03\",\"resource\":{\"resourceType\":\"ServiceRequest\",\"identifier\":[{\"system\":"
				+ "\"https://fhir.example.nhs.uk/Id/referral\",\"value\":\"" + java.util.UUID.randomUUID() + "\"}],\"status\":\"active\",\"intent\":\"order\","
				+ "\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"871731000000106\"}]},"
				+ "\"subject\":{\"reference\":\"urn:uuid:5b0f4c2e-1111-4c4e-9d38-1f3a7c9e0a01\"},\"authoredOn\":\"2026-11-20T10:15:00+00:00\","
				+ "\"requester\":{\"identifier\":{\"system\":\"https://fhir.nhs.uk/Id/ods-organization-code\",\"value\":\"" + practice + "\"}},"
				+ "\"performer\":[{\"identifier\":{\"system\":\"https://fhir.nhs.uk/Id/dos-service-id\",\"value\":\"" + dosId + "\"}}],"
				+ "\"reasonCode\":[{\"text\":\"Social isolation\"}]},\"request\":{\"method\":\"POST\",\"url\":\"ServiceRequest\"}}]}";
		return Http.post(gateway.baseUrl(), body);
	}

	static String nhs() {
		return org.spgateway.intake.TestNhsNumbers.next();
	}

	@Test
	void aServiceClosedToReferralsThroughTheApiRefusesThemAtOnceAndReopens() {
		assertThat(referTo("9000002", "A99901", nhs()).statusCode()).isEqualTo(200);
		HealthcareService service = Http.parse(Http.get(gateway.baseUrl() + "/HealthcareService/dos-9000002"), HealthcareService.class);
		service.addNotAvailable().setDescription("Waiting list closed while we recruit link workers")
				.setDuring(new Period().setStartElement(new org.hl7.fhir.r4.model.DateTimeType("2026-01-01T00:00:00Z"))
						.setEndElement(new org.hl7.fhir.r4.model.DateTimeType("2099-01-31T00:00:00Z")));
		assertThat(Http.put(gateway.baseUrl() + "/HealthcareService/dos-9000002", json(service)).statusCode()).isEqualTo(200);

		HttpResponse<String> refused = referTo("9000002", "A99901", nhs());

		assertThat(refused.statusCode()).isEqualTo(422);
		assertThat(Http.parse(refused, OperationOutcome.class).getIssueFirstRep().getDiagnostics()).contains(
				"General social prescribing service (DoS 9000002, Northside Wellbeing Partnership) cannot take this referral: it is not taking referrals"
						+ " until 2099-01-31: Waiting list closed while we recruit link workers");

		service = Http.parse(Http.get(gateway.baseUrl() + "/HealthcareService/dos-9000002"), HealthcareService.class);
		service.getNotAvailable().clear();
		assertThat(Http.put(gateway.baseUrl() + "/HealthcareService/dos-9000002", json(service)).statusCode()).isEqualTo(200);
		assertThat(referTo("9000002", "A99901", nhs()).statusCode()).isEqualTo(200);
	}

	@Test
	void anOrganizationWithAKnownOdsCodeIsMatchedNotStoredAgain() {
		Organization copy = new Organization().setName("Riverside Surgery");
		copy.addIdentifier().setSystem("https://fhir.nhs.uk/id/ods-organization-code").setValue("A99901");
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/Organization", json(copy));

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(Http.parse(response, Organization.class).getIdElement().getIdPart()).isEqualTo("ods-A99901");
		Bundle all = Http.parse(Http.get(gateway.baseUrl() + "/Organization?identifier=https://fhir.nhs.uk/Id/ods-organization-code%7CA99901"), Bundle.class);
		assertThat(all.getEntry()).hasSize(1);
	}

	@Test
	void twoDirectoryEntriesCannotShareAnIdentifier() {
		Organization other = Http.parse(Http.get(gateway.baseUrl() + "/Organization/ods-A99902"), Organization.class);
		other.getIdentifierFirstRep().setValue("A99901");
		HttpResponse<String> response = Http.put(gateway.baseUrl() + "/Organization/ods-A99902", json(other));

		assertThat(response.statusCode()).isEqualTo(409);
		assertThat(Http.parse(response, OperationOutcome.class).getIssueFirstRep().getDiagnostics()).contains("Organization/ods-A99901 already has");
	}

	@Test
	void aServiceWhoseRulesTheGatewayCannotReadIsRefused() {
		HealthcareService service = Http.parse(Http.get(gateway.baseUrl() + "/HealthcareService/dos-9000101"), HealthcareService.class);
		service.setId((String) null);
		service.getIdentifierFirstRep().setValue("9000199");
		service.getExtensionByUrl("https://spgateway.org/fhir/StructureDefinition/sp-eligibility")
				.addExtension("conditionValueSet", new org.hl7.fhir.r4.model.CanonicalType("https://example.org/fhir/ValueSet/unknown"));
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/HealthcareService", json(service));

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(Http.parse(response, OperationOutcome.class).getIssueFirstRep().getDiagnostics()).contains(
				"its condition ValueSet https://example.org/fhir/ValueSet/unknown is not in the gateway's profiles/");
	}

	@Test
	void minimumAgeAboveMaximumAgeBreaksTheProfile() {
		HealthcareService service = Http.parse(Http.get(gateway.baseUrl() + "/HealthcareService/dos-9000001"), HealthcareService.class);
		var rules = service.getExtensionByUrl("https://spgateway.org/fhir/StructureDefinition/sp-eligibility");
		rules.getExtensionByUrl("minimumAge").setValue(new org.hl7.fhir.r4.model.UnsignedIntType(80));
		HttpResponse<String> response = Http.put(gateway.baseUrl() + "/HealthcareService/dos-9000001", json(service));

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(response.body()).contains("The minimum age is not above the maximum age");
	}

	@Test
	void theDirectoryIsReadableAndSearchableLikeAnyResource() {
		Bundle bundle = Http.parse(Http.get(gateway.baseUrl() + "/HealthcareService?organization=Organization/ods-X99901"), Bundle.class);
		assertThat(bundle.getEntry()).extracting(e -> ((HealthcareService) e.getResource()).getIdentifierFirstRep().getValue())
				.containsExactlyInAnyOrder("9000001", "9000002");
	}
}
