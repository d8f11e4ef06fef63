package org.spgateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;

/** Partner folders at start-up: a new one works with no Java change; a broken map or a missing location stops the gateway. */
class MappingStartupIT {

	@TempDir
	Path folder;

	/** The message of the failure and of every cause, as an operator reads them in the log. */
	private static String messages(Throwable failure) {
		StringBuilder all = new StringBuilder();
		for (Throwable t = failure; t != null; t = t.getCause()) {
			all.append(t.getMessage()).append('\n');
		}
		return all.toString();
	}

	@Test
	void aNewPartnerFolderInATestOnlyLocationWorksEndToEndWithNoJava() throws URISyntaxException {
		Path partners = Path.of(MappingStartupIT.class.getResource("test-partners").toURI());
		try (GatewayServer gateway = GatewayServer.start("gateway.conformance.additional-locations=" + partners)) {
			PartnerDefinition lakeside = gateway.bean(Partners.class).forOrganization("https://fhir.nhs.uk/Id/ods-organization-code", "X99977")
					.orElseThrow();
			assertThat(lakeside.id()).isEqualTo("lakeside");
			assertThat(lakeside.mapFor(PartnerDefinition.Direction.INBOUND, PartnerDefinition.Message.STATUS_UPDATE))
					.contains("https://example.org/fhir/StructureMap/lakeside-task-inbound");
			assertThat(Http.get(gateway.baseUrl() + "/StructureMap/lakeside-task-inbound").statusCode()).isEqualTo(200);
			assertThat(Http.get(gateway.baseUrl() + "/ConceptMap/lakeside-status").statusCode()).isEqualTo(200);
			// The flat JSON the platform takes, as a logical model: loaded, compiled and served beside its maps.
			HttpResponse<String> model = Http.get(gateway.baseUrl() + "/StructureDefinition/lakeside-case");
			assertThat(model.statusCode()).isEqualTo(200);
			assertThat(Http.parse(model, StructureDefinition.class).getSnapshot().getElement()).extracting(e -> e.getPath())
					.contains("lakeside-case.caseRef", "lakeside-case.status", "lakeside-case.nhsNumber");

			HttpResponse<String> response = Http.post(gateway.baseUrl() + "/StructureMap/lakeside-task-inbound/$transform", """
					{"resourceType":"Task","status":"in-progress","intent":"order","focus":{"reference":"ServiceRequest/abc"},
					 "businessStatus":{"text":"FIRST_CONTACT"}}""");
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			Task task = Http.parse(response, Task.class);
			assertThat(task.getBusinessStatus().getCodingFirstRep().getCode()).isEqualTo("contacted");
			assertThat(task.getBusinessStatus().getText()).isEqualTo("FIRST_CONTACT");
			assertThat(task.getFocus().getReference()).isEqualTo("ServiceRequest/abc");
		}
	}

	@Test
	void aMapWithASyntaxErrorStopsStartUpNamingTheFileAndTheLine() throws IOException {
		Path map = folder.resolve("broken-partner").resolve("inbound.map");
		Files.createDirectories(map.getParent());
		Files.writeString(map, """
				map "https://example.org/fhir/StructureMap/broken" = "Broken"
				uses "http://hl7.org/fhir/StructureDefinition/Task" alias In as source
				uses "http://hl7.org/fhir/StructureDefinition/Task" alias Out as target
				group task(source src : In, target tgt : Out) {
				  src.status as v -> tgt.status = v "status"
				  src.intent as v -> tgt.intent = v "intent";
				}
				""");
		assertThatThrownBy(() -> GatewayServer.start("gateway.conformance.additional-locations=" + folder))
				.satisfies(failure -> assertThat(messages(failure))
						.contains(map.toString())
						.contains("is not valid FHIR Mapping Language: line 6: Found \"src\" expecting \";\""));
	}

	@Test
	void aMapReadingAnElementThatDoesNotExistStopsStartUpNamingTheRule() throws IOException {
		Path map = folder.resolve("typo.map");
		Files.writeString(map, """
				map "https://example.org/fhir/StructureMap/typo" = "Typo"
				uses "http://hl7.org/fhir/StructureDefinition/Task" alias In as source
				uses "http://hl7.org/fhir/StructureDefinition/Task" alias Out as target
				group task(source src : In, target tgt : Out) {
				  src.stauts as v -> tgt.status = v "status";
				}
				""");
		assertThatThrownBy(() -> GatewayServer.start("gateway.conformance.additional-locations=" + folder))
				.satisfies(failure -> assertThat(messages(failure)).contains(map.toString()).contains("stauts"));
	}

	@Test
	void aMapReadingAFieldItsLogicalModelDoesNotHaveStopsStartUpNamingTheFileRuleAndField() throws IOException {
		Path partner = Files.createDirectories(folder.resolve("flat-partner"));
		Files.writeString(partner.resolve("StructureDefinition-flat-case.json"), """
				{"resourceType":"StructureDefinition","id":"flat-case","url":"https://example.org/fhir/StructureDefinition/flat-case",
				 "name":"FlatCase","title":"Flat case (test)","status":"draft","fhirVersion":"4.0.1","kind":"logical","abstract":false,
				 "type":"https://example.org/fhir/StructureDefinition/flat-case","baseDefinition":"http://hl7.org/fhir/StructureDefinition/Element",
				 "derivation":"specialization","differential":{"element":[
				  {"id":"flat-case","path":"flat-case","min":0,"max":"*"},
				  {"id":"flat-case.caseRef","path":"flat-case.caseRef","min":1,"max":"1","type":[{"code":"string"}]}]}}""");
		Path map = partner.resolve("inbound.map");
		Files.writeString(map, """
				map "https://example.org/fhir/StructureMap/flat-inbound" = "FlatInbound"
				uses "https://example.org/fhir/StructureDefinition/flat-case" alias Flat as source
				uses "http://hl7.org/fhir/StructureDefinition/Task" alias Out as target
				group task(source src : Flat, target tgt : Out) {
				  src.caseReference as v -> tgt.description = v "caseRef";
				}
				""");
		// The gateway's own check of the map finds it; HAPI's StructureMap validator, which checks the conformance resources beside
		// the rest of start-up (ValidatorWarmUp), would too.
		assertThatThrownBy(() -> GatewayServer.start("gateway.conformance.additional-locations=" + folder))
				.satisfies(failure -> assertThat(messages(failure)).contains(map + " group task, rule 'caseRef': 'flat-case' of the logical"
						+ " model https://example.org/fhir/StructureDefinition/flat-case (Flat case (test)) has no element 'caseReference'"));
	}

	@Test
	void aConfiguredLocationThatDoesNotExistStopsStartUp() {
		assertThatThrownBy(() -> GatewayServer.start("gateway.conformance.locations=classpath:profiles,classpath:mapings"))
				.satisfies(failure -> assertThat(messages(failure)).contains("classpath:mapings does not exist"));
		Path missing = folder.resolve("not-there");
		assertThatThrownBy(() -> GatewayServer.start("gateway.conformance.additional-locations=" + missing))
				.satisfies(failure -> assertThat(messages(failure)).contains(missing + " is not a folder"));
	}
}
