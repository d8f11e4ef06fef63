package org.spgateway.outcomes;

import ca.uhn.fhir.context.support.ConceptValidationOptions;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import org.hl7.fhir.r4.model.Coding;

/**
 * Whether a coded answer is in the ValueSet its question names (Questionnaire.item.answerValueSet), asked
 * of the terminology the validator uses: FHIR's own ValueSets and those in profiles/, expanded in memory.
 * A ValueSet that cannot be expanded here (one defined by a SNOMED CT hierarchy, or one not held at all)
 * cannot say either way.
 */
final class AnswerValueSets {

	enum Membership { MEMBER, NOT_MEMBER, CANNOT_TELL }

	/** The issue coding HAPI's in-memory terminology gives a code the expansion does not contain. */
	private static final String NOT_IN_VALUE_SET = "not-in-vs";

	private final IValidationSupport terminology;

	AnswerValueSets(IValidationSupport terminology) {
		this.terminology = terminology;
	}

	Membership of(String valueSetUrl, Coding answer) {
		IValidationSupport.CodeValidationResult result = terminology.validateCode(new ValidationSupportContext(terminology),
				new ConceptValidationOptions(), answer.getSystem(), answer.getCode(), null, valueSetUrl);
		if (result == null) {
			return Membership.CANNOT_TELL;
		}
		if (result.isOk()) {
			return Membership.MEMBER;
		}
		boolean notInExpansion = result.getIssues().stream()
				.anyMatch(i -> i.getCoding() != null && NOT_IN_VALUE_SET.equals(i.getCoding().getCode()));
		return notInExpansion ? Membership.NOT_MEMBER : Membership.CANNOT_TELL;
	}
}
