package org.spgateway.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateType;
import org.junit.jupiter.api.Test;

class EligibilityRulesTest {

	static final String SCT = "http://snomed.info/sct";
	static final Coding T2DM = new Coding(SCT, "44054006", "Type 2 diabetes mellitus");
	static final Coding ASTHMA = new Coding(SCT, "195967001", "Asthma");
	static final Coding HYPERTENSION = new Coding(SCT, "38341003", "Hypertensive disorder");
	static final LocalDate ON = LocalDate.of(2026, 11, 20);
	static final EligibilityRules LTC = new EligibilityRules(40, 74, List.of(T2DM, ASTHMA), null, false);

	static EligibilityRules.Facts facts(String birth, Coding... conditions) {
		return new EligibilityRules.Facts(birth == null ? null : new DateType(birth), ON, List.of(conditions));
	}

	@Test
	void agesAreWholeYearsOnTheReferralDateBothEndsIncluded() {
		assertThat(LTC.check(facts("1986-11-20", T2DM))).isEmpty();
		assertThat(LTC.check(facts("1952-11-21", T2DM))).isEmpty();
		assertThat(LTC.check(facts("1986-11-21", T2DM))).singleElement().extracting(EligibilityRules.Failure::diagnostics)
				.isEqualTo("Aged 39 on 2026-11-20; this service accepts ages 40-74");
		assertThat(LTC.check(facts("1951-11-20", T2DM))).singleElement().extracting(EligibilityRules.Failure::diagnostics)
				.isEqualTo("Aged 75 on 2026-11-20; this service accepts ages 40-74");
	}

	@Test
	void theIssuesExampleReadsAsWritten() {
		assertThat(LTC.check(facts("1988-06-01", T2DM))).extracting(EligibilityRules.Failure::diagnostics)
				.containsExactly("Aged 38 on 2026-11-20; this service accepts ages 40-74");
	}

	@Test
	void aBirthDateGivenAsAYearIsEligibleOnlyWhenEveryDayOfThatYearIs() {
		assertThat(LTC.check(facts("1970", T2DM))).isEmpty();
		assertThat(LTC.check(facts("1986", T2DM))).singleElement().extracting(EligibilityRules.Failure::diagnostics).asString()
				.startsWith("Aged 39 or 40 on 2026-11-20 (the birth date gives only the year)").endsWith("send the full birth date");
	}

	@Test
	void aMissingBirthDateFailsAnAgeRuleSayingWhatToSend() {
		assertThat(LTC.check(facts(null, T2DM))).singleElement().satisfies(f -> {
			assertThat(f.rule()).isEqualTo(EligibilityRules.Rule.BIRTH_DATE_MISSING);
			assertThat(f.diagnostics()).contains("send Patient.birthDate");
		});
		assertThat(EligibilityRules.NONE.check(facts(null))).isEmpty();
	}

	@Test
	void anyOneRequiredConditionIsEnough() {
		assertThat(LTC.check(facts("1970-01-01", HYPERTENSION, ASTHMA))).isEmpty();
		assertThat(LTC.check(facts("1970-01-01", HYPERTENSION))).singleElement().extracting(EligibilityRules.Failure::diagnostics)
				.isEqualTo("None of the person's conditions given with the referral (Hypertensive disorder (38341003)) is one this service requires;"
						+ " it requires at least one of: Type 2 diabetes mellitus (44054006), Asthma (195967001)");
		assertThat(LTC.check(facts("1970-01-01"))).singleElement().extracting(EligibilityRules.Failure::diagnostics).asString()
				.startsWith("The referral names no condition");
	}

	@Test
	void aCodeMatchesOnlyInTheSameSystem() {
		assertThat(LTC.check(facts("1970-01-01", new Coding("http://example.org/local", "44054006", null)))).hasSize(1);
	}

	@Test
	void openEndedAgeRulesReadNaturally() {
		assertThat(new EligibilityRules(16, null, List.of(), null, false).check(facts("2012-01-01"))).extracting(EligibilityRules.Failure::diagnostics)
				.containsExactly("Aged 14 on 2026-11-20; this service accepts ages 16 and over");
		assertThat(new EligibilityRules(null, 25, List.of(), null, false).check(facts("1990-01-01"))).extracting(EligibilityRules.Failure::diagnostics)
				.containsExactly("Aged 36 on 2026-11-20; this service accepts ages up to 25");
	}
}
