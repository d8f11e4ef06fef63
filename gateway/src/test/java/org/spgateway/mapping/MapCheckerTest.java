package org.spgateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.hapi.ctx.HapiWorkerContext;
import org.hl7.fhir.r4.model.StructureMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spgateway.conformance.ConformanceException;
import org.spgateway.conformance.ConformanceLoader;
import org.spgateway.testsupport.GatewayServer;

/** A map with a mistake is refused when it is loaded, naming the file and where the mistake is. */
class MapCheckerTest {

	@TempDir
	Path folder;

	private static final String HEADER = """
			map "https://example.org/StructureMap/test" = "Test"
			uses "http://hl7.org/fhir/StructureDefinition/ServiceRequest" alias In as source
			uses "http://hl7.org/fhir/StructureDefinition/ServiceRequest" alias Out as target
			""";

	@Test
	void aSyntaxErrorNamesTheFileAndTheLine() throws IOException {
		Path file = write(HEADER + """
				group main(source src : In, target tgt : Out) {
				  src.status as v -> tgt.status = v "status";
				  src.intent as v -> tgt.intent = v "intent"
				}
				""");
		assertThatThrownBy(() -> load())
				.isInstanceOf(ConformanceException.class)
				.hasMessageContaining(file.toString())
				.hasMessageContaining("line 7: Found \"}\" expecting \";\"");
	}

	@Test
	void aMapWithoutAMapLineIsRefused() throws IOException {
		write("group main(source src, target tgt) { }\n");
		assertThatThrownBy(this::load).isInstanceOf(ConformanceException.class).hasMessageContaining("line 1: Found \"group\" expecting \"map\"");
	}

	@Test
	void aMisspeltElementIsRefusedWithItsGroupAndRule() throws IOException {
		write(HEADER + """
				group main(source src : In, target tgt : Out) {
				  src.identifer as v -> tgt.identifier = v "identifier";
				}
				""");
		assertThatThrownBy(this::check).hasMessageContaining("group main, rule 'identifier': a ServiceRequest has no element 'identifer'");
	}

	@Test
	void aMisspeltTargetElementIsRefused() throws IOException {
		write(HEADER + """
				group main(source src : In, target tgt : Out) {
				  src.note as v -> tgt.notes = v "note";
				}
				""");
		assertThatThrownBy(this::check).hasMessageContaining("a ServiceRequest has no element 'notes'");
	}

	@Test
	void aMistakeInAGroupWithoutTypesIsFoundThroughTheTypesItsCallerPasses() throws IOException {
		write(HEADER + """
				group main(source src : In, target tgt : Out) {
				  src.reasonCode as r -> tgt.reasonCode as o then reason(r, o) "reasons";
				}
				group reason(source r, target o) {
				  r.codng as c -> o.coding = c "coding";
				}
				""");
		assertThatThrownBy(this::check).hasMessageContaining("group reason, rule 'coding': a CodeableConcept has no element 'codng'");
	}

	@Test
	void callingAGroupTheMapDoesNotHaveIsRefused() throws IOException {
		write(HEADER + """
				group main(source src : In, target tgt : Out) {
				  src.reasonCode as r -> tgt.reasonCode as o then reasons(r, o) "reasons";
				}
				""");
		assertThatThrownBy(this::check).hasMessageContaining("calls group reasons, which the map does not have");
	}

	@Test
	void translatingWithAConceptMapThatIsNotLoadedIsRefused() throws IOException {
		write(HEADER + """
				group main(source src : In, target tgt : Out) {
				  src.priority as p -> tgt.priority = translate(p, 'https://example.org/ConceptMap/none', 'code') "priority";
				}
				""");
		assertThatThrownBy(this::check)
				.hasMessageContaining("translates with the ConceptMap https://example.org/ConceptMap/none, which is not loaded");
	}

	@Test
	void usingAStructureTheGatewayDoesNotKnowIsRefused() throws IOException {
		write("""
				map "https://example.org/StructureMap/test" = "Test"
				uses "https://example.org/StructureDefinition/Nothing" alias In as source
				uses "http://hl7.org/fhir/StructureDefinition/ServiceRequest" alias Out as target
				group main(source src : In, target tgt : Out) {
				  src.note as v -> tgt.note = v "note";
				}
				""");
		assertThatThrownBy(this::check)
				.hasMessageContaining("uses https://example.org/StructureDefinition/Nothing, which the gateway does not know");
	}

	@Test
	void aCorrectMapPassesAndItsSignatureIsTheTypesOfItsFirstGroup() throws IOException {
		write(HEADER + """
				group main(source src : In, target tgt : Out) {
				  src.reasonCode as r -> tgt.reasonCode as o then reason(r, o) "reasons";
				}
				group reason(source r, target o) {
				  r.coding as c -> o.coding = c "coding";
				}
				""");
		assertThat(check().get("https://example.org/StructureMap/test"))
				.isEqualTo(new MapEngine.MapSignature("ServiceRequest", "ServiceRequest", null, null));
	}

	@Test
	void aMisspeltFieldOfALogicalModelIsRefusedWithItsGroupAndRule() throws IOException {
		write("""
				map "https://example.org/StructureMap/test" = "Test"
				uses "http://hl7.org/fhir/StructureDefinition/Bundle" alias In as source
				uses "https://spgateway.org/fhir/StructureDefinition/riverside-asc-feedback" alias Out as target
				group main(source src : In, target tgt : Out) {
				  src.id as v -> tgt.caseRef = v "caseRef";
				}
				""");
		assertThatThrownBy(this::check).hasMessageContaining("test.map group main, rule 'caseRef': 'riverside-asc-feedback' of the logical model"
				+ " https://spgateway.org/fhir/StructureDefinition/riverside-asc-feedback (Riverside adult social care: feedback on a referral"
				+ " (flat JSON)) has no element 'caseRef'");
	}

	@Test
	void aMapToALogicalModelHasTheModelsTypeAsItsTarget() throws IOException {
		write("""
				map "https://example.org/StructureMap/test" = "Test"
				uses "http://hl7.org/fhir/StructureDefinition/Bundle" alias In as source
				uses "https://spgateway.org/fhir/StructureDefinition/riverside-asc-feedback" alias Out as target
				group main(source src : In, target tgt : Out) {
				  src.id as v -> tgt.caseReference = v "caseReference";
				}
				""");
		MapEngine.MapSignature signature = check().get("https://example.org/StructureMap/test");
		assertThat(signature.sourceType()).isEqualTo("Bundle");
		assertThat(signature.targetType()).isEqualTo("https://spgateway.org/fhir/StructureDefinition/riverside-asc-feedback");
		assertThat(signature.targetModel().getUrl()).isEqualTo(signature.targetType());
		assertThat(signature.sourceModel()).isNull();
	}

	private Path write(String text) throws IOException {
		Path file = folder.resolve("test.map");
		Files.writeString(file, text);
		return file;
	}

	private List<StructureMap> load() {
		return new ConformanceLoader(GatewayServer.fhirContext()).load(List.of(folder.toString())).stream()
				.map(l -> (StructureMap) l.resource()).toList();
	}

	private Map<String, MapEngine.MapSignature> check() {
		LoadedMappings shipped = LoadedMappings.shipped();
		HapiWorkerContext worker = new HapiWorkerContext(GatewayServer.fhirContext(), new MapWorkerSupport(shipped.support));
		return new MapChecker(worker, shipped.translator).check(load(), map -> folder.resolve("test.map").toString());
	}
}
