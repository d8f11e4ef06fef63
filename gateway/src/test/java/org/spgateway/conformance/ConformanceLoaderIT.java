package org.spgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spgateway.testsupport.GatewayServer;

/** A broken conformance file stops start-up, and the message names the file and the problem. */
class ConformanceLoaderIT {

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
	void aProfileWithABrokenInvariantStopsStartUp() throws IOException {
		Path file = folder.resolve("StructureDefinition").resolve("broken-invariant.json");
		Files.createDirectories(file.getParent());
		Files.writeString(file, """
				{"resourceType":"StructureDefinition","id":"broken-invariant",
				 "url":"https://example.org/StructureDefinition/broken-invariant","name":"BrokenInvariant","status":"draft",
				 "fhirVersion":"4.0.1","kind":"resource","abstract":false,"type":"Patient",
				 "baseDefinition":"http://hl7.org/fhir/StructureDefinition/Patient","derivation":"constraint",
				 "differential":{"element":[{"id":"Patient","path":"Patient","constraint":[
				   {"key":"brk-1","severity":"error","human":"Broken","expression":"name.where(family = 'x'"}]}]}}""");
		assertThatThrownBy(() -> GatewayServer.start("gateway.conformance.additional-locations=" + folder))
				.satisfies(failure -> assertThat(messages(failure))
						.contains("broken-invariant.json")
						.contains("brk-1")
						.contains("invalid FHIRPath expression"));
	}

	@Test
	void aFileThatIsNotFhirJsonStopsStartUp() throws IOException {
		Path file = folder.resolve("ValueSet-typo.json");
		Files.writeString(file, "{\"resourceType\":\"ValueSet\",\"id\":\"typo\",\"stauts\":\"active\"}");
		assertThatThrownBy(() -> GatewayServer.start("gateway.conformance.additional-locations=" + folder))
				.satisfies(failure -> assertThat(messages(failure))
						.contains("ValueSet-typo.json")
						.contains("stauts"));
	}

	@Test
	void aProfileOnAnUnknownBaseStopsStartUp() throws IOException {
		Path file = folder.resolve("unknown-base.json");
		Files.writeString(file, """
				{"resourceType":"StructureDefinition","id":"unknown-base",
				 "url":"https://example.org/StructureDefinition/unknown-base","name":"UnknownBase","status":"draft",
				 "fhirVersion":"4.0.1","kind":"resource","abstract":false,"type":"Patient",
				 "baseDefinition":"https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient","derivation":"constraint",
				 "differential":{"element":[{"id":"Patient","path":"Patient"}]}}""");
		assertThatThrownBy(() -> GatewayServer.start("gateway.conformance.additional-locations=" + folder))
				.satisfies(failure -> assertThat(messages(failure))
						.contains("unknown-base.json")
						.contains("https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"));
	}
}
