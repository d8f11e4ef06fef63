package org.spgateway.validation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A pooled validator keeps what it validated until it is retired: by its uses, and by the bytes it has validated. */
class ValidatorPoolTest {

	private static final String PATIENT = "{\"resourceType\":\"Patient\",\"active\":true,\"name\":[{\"family\":\"Pool\",\"given\":[\"Test\"]}]}";
	private static GatewayValidator.Conformance conformance;

	@BeforeAll
	static void loadConformance() {
		conformance = GatewayValidator.conformance(FhirContext.forR4Cached(), List.of());
	}

	private static ResourceValidator onePooledValidator() {
		return new ResourceValidator(FhirContext.forR4Cached(), new CachingWorkerContext(conformance.support()),
				conformance.resources().requiredProfiles(), 1);
	}

	@Test
	void smallResourcesAreValidatedByTheSameValidatorUntilItsUsesRunOut() {
		ResourceValidator validator = onePooledValidator();
		for (int i = 0; i < 20; i++) {
			assertThat(validator.validate(PATIENT, EncodingEnum.JSON, "Patient", null).hasErrors()).isFalse();
		}
		assertThat(validator.rebuilds()).isZero();
	}

	@Test
	void largeBundlesRetireTheValidatorLongBeforeItsUsesRunOut() {
		StringBuilder bundle = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[");
		for (int i = 0; i < 2_000; i++) {
			bundle.append(i == 0 ? "" : ",").append("{\"resource\":").append(PATIENT).append(",\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}");
		}
		String body = bundle.append("]}").toString();
		assertThat(body.length()).isGreaterThan(200_000);
		ResourceValidator validator = onePooledValidator();
		for (int i = 0; i < 6; i++) {
			validator.validate(body, EncodingEnum.JSON, "Bundle", null);
		}
		// Six of them are over a mebibyte: retired at least once, where uses alone would have kept it for 200.
		assertThat(validator.rebuilds()).isPositive();
	}
}
