package org.spgateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.Errors;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/** The conformance resources from profiles/ are served like any resource, searchable, and read-only. */
class ReadOnlyResourceProviderIT {

	private static final String SP_PATIENT = "https://spgateway.org/fhir/StructureDefinition/sp-patient";

	static GatewayServer gateway;
	static String base;

	@BeforeAll
	static void start() {
		gateway = SharedGateway.get();
		base = gateway.baseUrl();
	}

	private static List<String> ids(String query) {
		HttpResponse<String> response = Http.get(base + "/" + query);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Http.parse(response, Bundle.class).getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList();
	}

	@Test
	void profilesAreServedWithTheirGeneratedSnapshot() {
		HttpResponse<String> response = Http.get(base + "/StructureDefinition/sp-patient");
		assertThat(response.statusCode()).isEqualTo(200);
		StructureDefinition profile = Http.parse(response, StructureDefinition.class);
		assertThat(profile.getUrl()).isEqualTo(SP_PATIENT);
		assertThat(profile.getDifferential().getElement()).isNotEmpty();
		assertThat(profile.getSnapshot().getElement()).hasSizeGreaterThan(profile.getDifferential().getElement().size());
		assertThat(profile.getSnapshot().getElement()).anyMatch(e -> e.getPath().equals("Patient.identifier")
				&& e.getConstraint().stream().anyMatch(c -> c.getKey().equals("spp-1")));
		assertThat(profile.getMeta().getVersionId()).isNotBlank();
		assertThat(Http.get(base + "/StructureDefinition/sp-patient/_history").statusCode()).isEqualTo(200);
		assertThat(Http.get(base + "/StructureDefinition/sp-patient/_history/" + profile.getMeta().getVersionId()).statusCode()).isEqualTo(200);
	}

	@Test
	void searchableByUrlNameAndVersion() {
		assertThat(ids("StructureDefinition?url=" + SP_PATIENT)).containsExactly("sp-patient");
		assertThat(ids("StructureDefinition?url=" + SP_PATIENT + "&version=0.1.0")).containsExactly("sp-patient");
		assertThat(ids("StructureDefinition?url=" + SP_PATIENT + "&version=9.9.9")).isEmpty();
		// Plain string search matches the start of the value; :exact matches the whole value.
		assertThat(ids("StructureDefinition?name=SocialPrescribingReferral")).containsExactlyInAnyOrder("sp-referral", "sp-referral-task");
		assertThat(ids("StructureDefinition?name:exact=SocialPrescribingReferral")).containsExactly("sp-referral");
		assertThat(ids("StructureDefinition?type=Task&derivation=constraint")).contains("sp-referral-task");
		assertThat(ids("CodeSystem?url=https://spgateway.org/fhir/CodeSystem/sp-referral-source")).containsExactly("sp-referral-source");
		assertThat(ids("ValueSet?name=HumanLanguage")).containsExactly("sp-human-language");
		assertThat(ids("SearchParameter?code=referral-source&base=ServiceRequest")).containsExactly("servicerequest-referral-source");
		assertThat(ids("ImplementationGuide?url=https://spgateway.org/fhir/ImplementationGuide/sp-gateway")).containsExactly("sp-gateway");
		CodeSystem sources = Http.parse(Http.get(base + "/CodeSystem/sp-referral-source"), CodeSystem.class);
		assertThat(sources.getConcept()).extracting(CodeSystem.ConceptDefinitionComponent::getCode).contains("gp", "self", "social-worker");
	}

	@Test
	void writesAreRefusedWith405() {
		String current = Http.get(base + "/StructureDefinition/sp-patient").body();
		List<HttpResponse<String>> attempts = List.of(
				Http.post(base + "/StructureDefinition", current),
				Http.put(base + "/StructureDefinition/sp-patient", current),
				Http.put(base + "/StructureDefinition/brand-new", current.replace("\"id\":\"sp-patient\"", "\"id\":\"brand-new\"")),
				Http.patch(base + "/StructureDefinition/sp-patient", "[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"retired\"}]",
						"application/json-patch+json"),
				Http.delete(base + "/StructureDefinition/sp-patient"),
				Http.post(base + "/CodeSystem", "{\"resourceType\":\"CodeSystem\",\"status\":\"draft\",\"content\":\"complete\"}"));
		for (HttpResponse<String> attempt : attempts) {
			OperationOutcome outcome = Errors.outcome(attempt, 405);
			assertThat(Errors.diagnostics(outcome.getIssue())).as("%s %s", attempt.request().method(), attempt.request().uri())
					.containsAnyOf("read-only", "not supported", "does not support");
		}
		StructureDefinition after = Http.parse(Http.get(base + "/StructureDefinition/sp-patient"), StructureDefinition.class);
		assertThat(after.getStatus().toCode()).isEqualTo("active");
		assertThat(Http.get(base + "/StructureDefinition/brand-new").statusCode()).isEqualTo(404);
	}

	@Test
	void aTransactionWritingAConformanceResourceIsRefusedWhole() {
		String marker = java.util.UUID.randomUUID().toString();
		String bundle = """
				{"resourceType":"Bundle","type":"transaction","entry":[
				  {"fullUrl":"urn:uuid:%s","resource":{"resourceType":"Patient","identifier":[{"system":"https://example.org/read-only-it","value":"%s"}]},
				   "request":{"method":"POST","url":"Patient"}},
				  {"resource":{"resourceType":"ValueSet","id":"sp-referral-source","status":"retired"},
				   "request":{"method":"PUT","url":"ValueSet/sp-referral-source"}}]}""".formatted(java.util.UUID.randomUUID(), marker);
		OperationOutcome outcome = Errors.outcome(Http.post(base, bundle), 405);
		assertThat(Errors.diagnostics(outcome.getIssue())).contains("Bundle.entry[1]").contains("read-only");
		Bundle found = Http.parse(Http.get(base + "/Patient?identifier=https://example.org/read-only-it|" + marker), Bundle.class);
		assertThat(found.getEntry()).isEmpty();
		assertThat(Http.get(base + "/ValueSet/sp-referral-source").body()).contains("\"status\":\"active\"");
	}
}
