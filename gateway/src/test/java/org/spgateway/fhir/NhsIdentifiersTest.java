package org.spgateway.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.junit.jupiter.api.Test;

class NhsIdentifiersTest {

	@Test
	void everySpellingOfAnNhsSystemBecomesTheCanonicalOne() {
		assertThat(NhsIdentifiers.canonicalSystem("https://fhir.nhs.uk/Id/nhs-number")).isEqualTo(NhsIdentifiers.NHS_NUMBER);
		assertThat(NhsIdentifiers.canonicalSystem("https://fhir.nhs.uk/id/nhs-number")).isEqualTo(NhsIdentifiers.NHS_NUMBER);
		assertThat(NhsIdentifiers.canonicalSystem("http://fhir.nhs.uk/Id/ods-organization-code")).isEqualTo(NhsIdentifiers.ODS_ORGANIZATION);
		assertThat(NhsIdentifiers.canonicalSystem("HTTPS://FHIR.NHS.UK/ID/ODS-ORGANIZATION-CODE/")).isEqualTo(NhsIdentifiers.ODS_ORGANIZATION);
		assertThat(NhsIdentifiers.canonicalSystem("http://fhir.nhs.uk/id/dos-service-id")).isEqualTo(NhsIdentifiers.DOS_SERVICE);
	}

	@Test
	void otherSystemsAreLeftAlone() {
		assertThat(NhsIdentifiers.canonicalSystem("https://fhir.a99901.example.nhs.uk/Id/referral")).isEqualTo("https://fhir.a99901.example.nhs.uk/Id/referral");
		assertThat(NhsIdentifiers.canonicalSystem("https://fhir.nhs.uk/CodeSystem/message-events-bars")).isEqualTo(
				"https://fhir.nhs.uk/CodeSystem/message-events-bars");
		assertThat(NhsIdentifiers.canonicalSystem(null)).isNull();
	}

	@Test
	void normalizingAResourceReachesIdentifiersInsideReferences() {
		ServiceRequest sr = new ServiceRequest();
		sr.setRequester(new Reference().setIdentifier(new Identifier().setSystem("https://fhir.nhs.uk/id/ods-organization-code").setValue("A99901")));
		sr.setSubject(new Reference().setIdentifier(new Identifier().setSystem("http://fhir.nhs.uk/Id/nhs-number").setValue("943 476 5919")));
		NhsIdentifiers.normalize(FhirContext.forR4Cached(), sr);
		assertThat(sr.getRequester().getIdentifier().getSystem()).isEqualTo(NhsIdentifiers.ODS_ORGANIZATION);
		assertThat(sr.getSubject().getIdentifier().getSystem()).isEqualTo(NhsIdentifiers.NHS_NUMBER);
		assertThat(sr.getSubject().getIdentifier().getValue()).isEqualTo("9434765919");
	}

	@Test
	void nhsNumbersAreCheckedWithModulus11() {
		assertThat(NhsIdentifiers.isValidNhsNumber("9434765919")).isTrue();
		assertThat(NhsIdentifiers.isValidNhsNumber("943 476 5919")).isTrue();
		assertThat(NhsIdentifiers.isValidNhsNumber("9434765918")).isFalse();
		// 4*10 + 2*2 = 44, a multiple of 11: 11 - 0 = 11, which means check digit 0.
		assertThat(NhsIdentifiers.isValidNhsNumber("4000000020")).isTrue();
		assertThat(NhsIdentifiers.isValidNhsNumber("4000000021")).isFalse();
		assertThat(NhsIdentifiers.isValidNhsNumber("943476591")).isFalse();
		assertThat(NhsIdentifiers.isValidNhsNumber("94347659190")).isFalse();
		assertThat(NhsIdentifiers.isValidNhsNumber("94347A5919")).isFalse();
		assertThat(NhsIdentifiers.isValidNhsNumber(null)).isFalse();
	}

	@Test
	void aNumberWhoseCheckDigitWouldBeTenIsNeverValid() {
		// Some first-nine digits give 11 - (sum mod 11) = 10: no tenth digit makes those valid.
		for (int n = 0; n < 1000; n++) {
			String nine = String.format("123456%03d", n);
			int sum = 0;
			for (int i = 0; i < 9; i++) {
				sum += (nine.charAt(i) - '0') * (10 - i);
			}
			if (11 - (sum % 11) == 10) {
				for (int d = 0; d <= 9; d++) {
					assertThat(NhsIdentifiers.isValidNhsNumber(nine + d)).isFalse();
				}
				return;
			}
		}
		throw new AssertionError("no number with check digit 10 found");
	}
}
