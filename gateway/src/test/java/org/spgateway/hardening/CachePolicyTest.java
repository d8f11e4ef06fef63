package org.spgateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CachePolicyTest {

	@Test
	void clinicalReadsSearchesAndWritesAreNeverStored() {
		assertThat(CachePolicy.cacheControl("GET", "/fhir/Patient/123", null)).isEqualTo("no-store");
		assertThat(CachePolicy.cacheControl("GET", "/fhir/Task", "status=requested")).isEqualTo("no-store");
		assertThat(CachePolicy.cacheControl("GET", "/fhir/QuestionnaireResponse/9/_history/2", null)).isEqualTo("no-store");
		assertThat(CachePolicy.cacheControl("POST", "/fhir/StructureDefinition/_search", null)).isEqualTo("no-store");
		assertThat(CachePolicy.cacheControl("GET", "/fhir", null)).isEqualTo("no-store");
		assertThat(CachePolicy.cacheControl("GET", "/actuator/health", null)).isEqualTo("no-store");
	}

	@Test
	void metadataAndPublicConformanceReadsMayBeCachedBriefly() {
		assertThat(CachePolicy.cacheControl("GET", "/fhir/metadata", null)).isEqualTo("public, max-age=60");
		assertThat(CachePolicy.cacheControl("GET", "/fhir/StructureDefinition/sp-patient", null)).isEqualTo("public, max-age=60");
		assertThat(CachePolicy.cacheControl("HEAD", "/fhir/ValueSet", "url=http://example.org/vs")).isEqualTo("public, max-age=60");
		assertThat(CachePolicy.cacheControl("GET", "/fhir/Questionnaire/ons4/_history/1", null)).isEqualTo("public, max-age=60");
	}

	@Test
	void aConformanceSearchThatCouldPullInClinicalResourcesIsNotStored() {
		assertThat(CachePolicy.cacheControl("GET", "/fhir/Questionnaire", "_revinclude=QuestionnaireResponse:questionnaire"))
				.isEqualTo("no-store");
		assertThat(CachePolicy.cacheControl("GET", "/fhir/Questionnaire", "%5Frevinclude=QuestionnaireResponse:questionnaire"))
				.isEqualTo("no-store");
		assertThat(CachePolicy.cacheControl("GET", "/fhir/Questionnaire", "_has:QuestionnaireResponse:questionnaire:subject=Patient/1"))
				.isEqualTo("no-store");
		assertThat(CachePolicy.cacheControl("GET", "/fhir/Questionnaire", "name=%ZZ")).isEqualTo("no-store");
	}

	@Test
	void operationsOnConformanceTypesAreNotStored() {
		assertThat(CachePolicy.cacheControl("GET", "/fhir/ConceptMap/$translate", "code=x")).isEqualTo("no-store");
		assertThat(CachePolicy.cacheControl("GET", "/fhir/StructureDefinition/sp-patient/%24snapshot", null)).isEqualTo("no-store");
	}
}
