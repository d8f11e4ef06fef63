package org.spgateway.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResourceValidatorTest {

	@Test
	void aMissingRequiredElementIsReportedAtTheElementNotItsParent() {
		assertThat(ResourceValidator.expression("Bundle.entry[2].resource/*ServiceRequest/null*/",
				"ServiceRequest.requester: minimum required = 1, but only found 0 (from https://spgateway.org/fhir/StructureDefinition/sp-referral|0.1.0)"))
				.isEqualTo("Bundle.entry[2].resource.requester");
		assertThat(ResourceValidator.expression("ServiceRequest.identifier[0]", "ServiceRequest.identifier.system: minimum required = 1, but only found 0"))
				.isEqualTo("ServiceRequest.identifier[0].system");
	}

	@Test
	void otherMessagesKeepTheValidatorsLocation() {
		assertThat(ResourceValidator.expression("Patient.identifier[0]", "An NHS number is 10 digits whose last digit is a valid Modulus 11 check digit"))
				.isEqualTo("Patient.identifier[0]");
		assertThat(ResourceValidator.expression("Patient", "Unrecognized property 'foo'")).isEqualTo("Patient.foo");
	}
}
