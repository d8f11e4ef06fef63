package org.spgateway.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.Golden;
import org.spgateway.testsupport.GatewayServer;

/**
 * The codes-only feedback body, golden pairs: {@code codes-only/<case>.input.json} is the feedback as the gateway carries it,
 * {@code <case>.expected.json} the Bundle a codes-only referrer gets (an expected file holding {@code {"nothing": ...}} says it gets
 * nothing for that event).
 */
class CodesOnlyGoldenTest {

	private static final String FOLDER = "codes-only";

	@TestFactory
	Stream<DynamicTest> eachFeedbackIsCutDownToTheSnomedCodesARecordFiles() {
		List<Path> inputs = Golden.inputs(CodesOnlyGoldenTest.class, FOLDER);
		assertThat(inputs).isNotEmpty();
		return inputs.stream().map(input -> {
			String name = input.getFileName().toString().replace(".input.json", "");
			return DynamicTest.dynamicTest(name, () -> {
				Bundle carried = GatewayServer.fhirContext().newJsonParser().parseResource(Bundle.class,
						Fixtures.text(CodesOnlyGoldenTest.class, FOLDER + "/" + name + ".input.json"));
				Bundle codes = CodesOnly.bundle(carried);
				String expected = FOLDER + "/" + name + ".expected.json";
				if (Fixtures.text(CodesOnlyGoldenTest.class, expected).contains("\"nothing\"")) {
					assertThat(codes).as("nothing to file").isNull();
				} else {
					assertThat(codes).isNotNull();
					Golden.assertMatches(CodesOnlyGoldenTest.class, expected, Map.of(), codes);
				}
			});
		});
	}
}
