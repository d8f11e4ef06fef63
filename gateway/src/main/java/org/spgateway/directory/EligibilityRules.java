package org.spgateway.directory;

import java.time.LocalDate;
import java.time.Period;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateType;

/**
 * A service's eligibility rules (extension sp-eligibility on its HealthcareService) and the check of a
 * referral against them. Every failure is said in plain words a referrer can act on.
 *
 * @param minimumAge youngest age taken, in whole years on the referral date, or null
 * @param maximumAge oldest age taken, or null
 * @param conditions the person needs at least one of these (empty: no condition needed)
 * @param conditionsSource where the condition list comes from, for messages (a ValueSet URL, or null)
 * @param manualTriage true: a failing referral is accepted and flagged instead of refused
 */
public record EligibilityRules(Integer minimumAge, Integer maximumAge, List<Coding> conditions, String conditionsSource, boolean manualTriage) {

	public static final EligibilityRules NONE = new EligibilityRules(null, null, List.of(), null, false);

	/** What the gateway knows about the person and the referral when it checks eligibility. */
	public record Facts(DateType birthDate, LocalDate referralDate, List<Coding> conditions) {}

	/** A rule the referral does not meet. */
	public record Failure(Rule rule, String diagnostics) {}

	public enum Rule { AGE, BIRTH_DATE_MISSING, CONDITION }

	public boolean hasAgeRule() {
		return minimumAge != null || maximumAge != null;
	}

	public List<Failure> check(Facts facts) {
		List<Failure> failures = new ArrayList<>();
		if (hasAgeRule()) {
			ageFailure(facts).ifPresent(failures::add);
		}
		if (!conditions.isEmpty() && !hasQualifyingCondition(facts.conditions())) {
			failures.add(new Failure(Rule.CONDITION, conditionMessage(facts.conditions())));
		}
		return failures;
	}

	/** "ages 40-74", "ages 16 and over", "ages up to 25". */
	public String ageText() {
		if (minimumAge != null && maximumAge != null) {
			return "ages " + minimumAge + "-" + maximumAge;
		}
		if (minimumAge != null) {
			return "ages " + minimumAge + " and over";
		}
		return maximumAge == null ? "all ages" : "ages up to " + maximumAge;
	}

	private java.util.Optional<Failure> ageFailure(Facts facts) {
		DateType birth = facts.birthDate();
		if (birth == null || birth.getValue() == null) {
			return java.util.Optional.of(new Failure(Rule.BIRTH_DATE_MISSING, "The person's birth date is not known, so this service's age rule ("
					+ ageText() + ") cannot be checked; send Patient.birthDate"));
		}
		// A birth date given as a year (or year and month) could be any day in it: take the youngest and oldest possible ages.
		LocalDate earliest = LocalDate.of(birth.getYear(), birth.getPrecision().ordinal() >= ca.uhn.fhir.model.api.TemporalPrecisionEnum.MONTH.ordinal()
				? birth.getMonth() + 1 : 1, birth.getPrecision().ordinal() >= ca.uhn.fhir.model.api.TemporalPrecisionEnum.DAY.ordinal() ? birth.getDay() : 1);
		LocalDate latest = switch (birth.getPrecision()) {
			case YEAR -> LocalDate.of(birth.getYear(), 12, 31);
			case MONTH -> earliest.withDayOfMonth(earliest.lengthOfMonth());
			default -> earliest;
		};
		LocalDate on = facts.referralDate();
		int oldest = Period.between(earliest, on).getYears();
		int youngest = Period.between(latest, on).getYears();
		boolean youngestOk = inRange(youngest);
		boolean oldestOk = inRange(oldest);
		if (youngestOk && oldestOk) {
			return java.util.Optional.empty();
		}
		String age = youngest == oldest ? Integer.toString(youngest) : youngest + " or " + oldest;
		if (youngestOk || oldestOk) {
			return java.util.Optional.of(new Failure(Rule.AGE, "Aged " + age + " on " + on + " (the birth date gives only "
					+ (birth.getPrecision() == ca.uhn.fhir.model.api.TemporalPrecisionEnum.YEAR ? "the year" : "the month")
					+ "); this service accepts " + ageText() + ", so send the full birth date"));
		}
		return java.util.Optional.of(new Failure(Rule.AGE, "Aged " + age + " on " + on + "; this service accepts " + ageText()));
	}

	private boolean inRange(int age) {
		return (minimumAge == null || age >= minimumAge) && (maximumAge == null || age <= maximumAge);
	}

	private boolean hasQualifyingCondition(List<Coding> found) {
		for (Coding f : found) {
			for (Coding required : conditions) {
				if (same(f, required)) {
					return true;
				}
			}
		}
		return false;
	}

	static boolean same(Coding a, Coding b) {
		return a.hasCode() && a.getCode().equals(b.getCode()) && java.util.Objects.equals(a.getSystem(), b.getSystem());
	}

	private String conditionMessage(List<Coding> found) {
		String required = conditions.stream().map(EligibilityRules::label).distinct().collect(Collectors.joining(", "));
		if (found.isEmpty()) {
			return "The referral names no condition (in reasonCode, or as a Condition in reasonReference or supportingInfo); this service"
					+ " requires at least one of: " + required;
		}
		Set<String> given = found.stream().map(EligibilityRules::label).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
		return "None of the person's conditions given with the referral (" + String.join(", ", given) + ") is one this service requires;"
				+ " it requires at least one of: " + required;
	}

	static String label(Coding c) {
		if (c.hasDisplay()) {
			return c.getDisplay() + " (" + c.getCode() + ")";
		}
		return (c.hasSystem() && c.getSystem().equals("http://snomed.info/sct") ? "SNOMED CT " : (c.hasSystem() ? c.getSystem() + " " : "")) + c.getCode();
	}
}
