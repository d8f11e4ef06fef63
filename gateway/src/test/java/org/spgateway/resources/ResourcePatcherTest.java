package org.spgateway.resources;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResourcePatcherTest {

	@Test
	void aLibrarysMessageLosesItsJavaNames() {
		assertThat(ResourcePatcher.clean("HAPI-1234: org.hl7.fhir.exceptions.FHIRException: Unknown element 'x'")).isEqualTo("Unknown element 'x'");
	}

	@Test
	void aMessageQuotingAHugeValueIsCleanedInMilliseconds() {
		// Found by FuzzIT: a 300 kB string in a JSON Patch value pinned a core in this clean-up for minutes.
		long started = System.nanoTime();
		String cleaned = ResourcePatcher.clean("Unknown TaskStatus code '" + "x".repeat(300_000) + "'");
		assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(1_000);
		assertThat(cleaned.length()).isLessThanOrEqualTo(1_001);
	}
}
