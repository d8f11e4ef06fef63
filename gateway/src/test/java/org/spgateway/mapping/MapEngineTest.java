package org.spgateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.StructureMap;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run-time failures of a map name the map and the rule, in words a partner's integrator can act on, and never the engine's internals. */
class MapEngineTest {

	private static final String MAP = "https://example.org/fhir/StructureMap/engine-test";

	@TempDir
	static Path folder;

	private static LoadedMappings loaded;

	@BeforeAll
	static void load() throws IOException {
		Files.writeString(folder.resolve("engine-test.map"), """
				map "https://example.org/fhir/StructureMap/engine-test" = "EngineTest"
				uses "http://hl7.org/fhir/StructureDefinition/Task" alias In as source
				uses "http://hl7.org/fhir/StructureDefinition/Task" alias Out as target
				group task(source src : In, target tgt : Out) {
				  src.status as v -> tgt.status = v "status";
				  src.intent as v check $this = 'order' -> tgt.intent = v "orderOnly";
				  src.businessStatus as bs -> tgt.businessStatus as out then {
				    bs.text as word -> out.coding = translate(word, 'https://example.org/fhir/ConceptMap/engine-test', 'Coding') "word";
				  } "businessStatus";
				}
				""");
		Files.writeString(folder.resolve("ConceptMap-engine-test.json"), """
				{"resourceType":"ConceptMap","id":"engine-test","url":"https://example.org/fhir/ConceptMap/engine-test","status":"draft",
				 "group":[{"source":"https://partner.example/status","target":"https://example.org/status","element":[
				   {"code":"CLOSED","target":[{"code":"completed","equivalence":"wider"},{"code":"failed","equivalence":"wider"}]},
				   {"code":"ALLOCATED","target":[{"code":"allocated","equivalence":"equivalent"}]}]}]}""");
		loaded = LoadedMappings.with(folder.toString());
	}

	private static StructureMap map() {
		return loaded.engine.byUrl(MAP).orElseThrow();
	}

	private static Task task(String intent, String word) {
		Task task = new Task().setStatus(Task.TaskStatus.ACCEPTED).setIntent(Task.TaskIntent.fromCode(intent));
		task.getBusinessStatus().setText(word);
		return task;
	}

	@Test
	void aCleanRunMakesTheTargetType() {
		Task made = (Task) loaded.engine.transform(map(), task("order", "ALLOCATED"));
		assertThat(made.getStatus()).isEqualTo(Task.TaskStatus.ACCEPTED);
		assertThat(made.getBusinessStatus().getCodingFirstRep().getCode()).isEqualTo("allocated");
		assertThat(loaded.engine.sourceType(map())).isEqualTo("Task");
	}

	@Test
	void aFailedCheckNamesTheMapTheRuleAndTheCheck() {
		assertThatThrownBy(() -> loaded.engine.transform(map(), task("plan", "ALLOCATED")))
				.isInstanceOfSatisfying(MappingFailure.class, f -> {
					assertThat(f.mapUrl()).isEqualTo(MAP);
					assertThat(f.rule()).isEqualTo("orderOnly");
					assertThat(f.getMessage())
							.isEqualTo("The map EngineTest (" + MAP + ") failed at rule 'orderOnly': its check '$this = 'order'' is not met");
				});
	}

	@Test
	void anAmbiguousTranslationNamesTheRuleAndTheConceptMapWithoutEngineInternals() {
		assertThatThrownBy(() -> loaded.engine.transform(map(), task("order", "CLOSED")))
				.isInstanceOfSatisfying(MappingFailure.class, f -> {
					assertThat(f.rule()).isEqualTo("word");
					assertThat(f.problem())
							.isEqualTo("ConceptMap https://example.org/fhir/ConceptMap/engine-test has several translations for code 'CLOSED'");
					assertThat(f.getMessage()).doesNotContain("Exception").doesNotContain("org.hl7");
				});
	}

	@Test
	void contentOfAnotherTypeIsRefusedBeforeTheMapRuns() {
		assertThatThrownBy(() -> loaded.engine.transform(map(), new Patient()))
				.isInstanceOfSatisfying(MappingFailure.class, f -> assertThat(f.problem()).isEqualTo("it reads a Task and the content is a Patient"));
	}
}
