package org.spgateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StructureMap;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.spgateway.testsupport.Golden;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;

/**
 * Golden input / expected output pairs for every shipped map: {@code golden/<map id>/<case>.input.json} is run
 * through the map and compared with {@code <case>.expected.json}. A new pair (or a new map's folder) is
 * picked up with no Java change. {@code GOLDEN_UPDATE=true} rewrites the expected files from what the map
 * makes; review the diff.
 */
class MapGoldenTest {

	private static final String FOLDER = "golden";
	private static final ObjectMapper JSON = new ObjectMapper();

	@TestFactory
	Stream<DynamicTest> everyShippedMapTurnsEachGoldenInputIntoItsExpectedOutput() {
		List<Path> inputs = Golden.inputs(MapGoldenTest.class, FOLDER);
		assertThat(inputs).as("golden inputs under %s", FOLDER).isNotEmpty();
		return inputs.stream().map(input -> {
			String mapId = input.getParent().getFileName().toString();
			String name = input.getFileName().toString().replace(".input.json", "");
			return DynamicTest.dynamicTest(mapId + ": " + name, () -> {
				MapEngine engine = LoadedMappings.shipped().engine;
				StructureMap map = engine.byId(mapId).orElseThrow(() -> new AssertionError("no map with id " + mapId + " for " + input));
				String text = Fixtures.text(MapGoldenTest.class, FOLDER + "/" + mapId + "/" + name + ".input.json");
				String expected = FOLDER + "/" + mapId + "/" + name + ".expected.json";
				if (engine.writesJson(map)) {
					// A partner's own JSON: compared as JSON trees, so formatting and field order never matter.
					Golden.assertJsonMatches(MapGoldenTest.class, expected, engine.toJson(map, parse(text)));
				} else if (engine.readsJson(map)) {
					Golden.assertMatches(MapGoldenTest.class, expected, Map.of(), engine.fromJson(map, JSON.readTree(text)));
				} else {
					Golden.assertMatches(MapGoldenTest.class, expected, Map.of(), engine.transform(map, parse(text)));
				}
			});
		});
	}

	@TestFactory
	Stream<DynamicTest> everyShippedMapHasGoldenCases() {
		List<String> covered = Golden.inputs(MapGoldenTest.class, FOLDER).stream().map(p -> p.getParent().getFileName().toString()).distinct().toList();
		return LoadedMappings.shipped().conformance.ofType(StructureMap.class).stream()
				.map(map -> DynamicTest.dynamicTest(map.getIdElement().getIdPart(),
						() -> assertThat(covered).as("golden cases for %s", map.getUrl()).contains(map.getIdElement().getIdPart())));
	}

	private static Resource parse(String text) {
		return (Resource) GatewayServer.fhirContext().newJsonParser().parseResource(text);
	}


}
