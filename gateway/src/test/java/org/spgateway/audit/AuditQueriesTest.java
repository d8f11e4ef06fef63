package org.spgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AuditQueriesTest {

	@Test
	void personalValuesAreHiddenAndIdsCodesAndPagingKept() {
		assertThat(AuditQueries.redacted("family=Okafor&birthdate=1970-01-02&_count=5&status=active"))
				.isEqualTo("family=*&birthdate=*&_count=5&status=active");
		assertThat(AuditQueries.redacted("identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9434765919&_id=abc"))
				.isEqualTo("identifier=*&_id=abc");
	}

	@Test
	void chainsAndModifiersAreJudgedByEveryPart() {
		assertThat(AuditQueries.redacted("subject.name=Sam&subject:identifier=x%7C1&patient=Patient/p1&owner:identifier=ods%7CX99901"))
				.isEqualTo("subject.name=*&subject:identifier=*&patient=Patient/p1&owner:identifier=*");
		assertThat(AuditQueries.redacted("name:contains=ok&_sort=-_lastUpdated")).isEqualTo("name:contains=*&_sort=-_lastUpdated");
	}

	@Test
	void aParameterWithoutValueOrWithABadEscapeStaysReadable() {
		assertThat(AuditQueries.redacted("_summary&family=%ZZ&_id%ZZ=1")).isEqualTo("_summary&family=*&_id%ZZ=1");
		assertThat(AuditQueries.redacted(null)).isNull();
	}
}
