package org.spgateway.outcomes;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemEnableWhenComponent;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemOperator;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemAnswerComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Type;

/**
 * Whether an enableWhen condition holds for the answers given to the question it names, so that a
 * required item that is switched off need not be answered. A condition holds when any answer meets it;
 * {@code !=} holds when no answer equals the value (so also when there is no answer).
 */
final class EnableWhen {

	private EnableWhen() {}

	static boolean met(QuestionnaireItemEnableWhenComponent condition, List<QuestionnaireResponseItemAnswerComponent> answers) {
		QuestionnaireItemOperator operator = condition.getOperator();
		Type expected = condition.getAnswer();
		if (operator == QuestionnaireItemOperator.EXISTS) {
			boolean exists = answers.stream().anyMatch(QuestionnaireResponseItemAnswerComponent::hasValue);
			return expected instanceof BooleanType b && Boolean.TRUE.equals(b.getValue()) ? exists : !exists;
		}
		if (operator == QuestionnaireItemOperator.NOT_EQUAL) {
			return answers.stream().noneMatch(a -> a.hasValue() && compare(a.getValue(), expected) == 0);
		}
		for (QuestionnaireResponseItemAnswerComponent answer : answers) {
			if (!answer.hasValue()) {
				continue;
			}
			Integer c = compare(answer.getValue(), expected);
			if (c == null) {
				continue;
			}
			boolean holds = switch (operator) {
				case EQUAL -> c == 0;
				case GREATER_THAN -> c > 0;
				case LESS_THAN -> c < 0;
				case GREATER_OR_EQUAL -> c >= 0;
				case LESS_OR_EQUAL -> c <= 0;
				default -> false;
			};
			if (holds) {
				return true;
			}
		}
		return false;
	}

	/** Negative, zero or positive as in Comparable; null when the two cannot be compared. */
	private static Integer compare(Type given, Type expected) {
		if (expected == null) {
			return null;
		}
		BigDecimal a = number(given);
		BigDecimal b = number(expected);
		if (a != null && b != null) {
			return a.compareTo(b);
		}
		if (given instanceof Coding x && expected instanceof Coding y) {
			boolean same = Objects.equals(x.getCode(), y.getCode()) && (!y.hasSystem() || Objects.equals(x.getSystem(), y.getSystem()));
			return same ? 0 : null;
		}
		if (given instanceof Reference x && expected instanceof Reference y) {
			return Objects.equals(x.getReference(), y.getReference()) ? 0 : null;
		}
		if (given instanceof PrimitiveType<?> x && expected instanceof PrimitiveType<?> y && x.fhirType().equals(y.fhirType())) {
			// Dates, times and strings in FHIR's formats compare correctly as text at the same precision.
			return Integer.signum(x.getValueAsString().compareTo(y.getValueAsString()));
		}
		return null;
	}

	private static BigDecimal number(Type value) {
		if (value instanceof IntegerType i && i.getValue() != null) {
			return BigDecimal.valueOf(i.getValue());
		}
		if (value instanceof DecimalType d) {
			return d.getValue();
		}
		if (value instanceof Quantity q) {
			return q.getValue();
		}
		return null;
	}
}
