package org.spgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the re-index log says changed between the parameters a type was indexed with and those in force. */
class SearchReindexerTest {

	private static final String BEFORE = String.join("\n",
			"family string Patient.name.family []",
			"gender token Patient.gender []",
			"organization reference Patient.managingOrganization [Organization]");

	@Test
	void namesTheParametersAddedChangedAndRemoved() {
		String after = String.join("\n",
				"family string Patient.name.family []",
				"organization reference Patient.managingOrganization [Organization, Practitioner]",
				"sex token Patient.gender []");
		assertThat(SearchReindexer.changes(BEFORE, after))
				.isEqualTo("changed since its resources were indexed: added sex; changed organization; removed gender");
	}

	@Test
	void saysWhenNothingWasRecorded() {
		assertThat(SearchReindexer.changes(null, BEFORE)).contains("were not recorded");
	}
}
