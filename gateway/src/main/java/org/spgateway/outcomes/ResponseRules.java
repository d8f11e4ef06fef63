package org.spgateway.outcomes;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Questionnaire.EnableWhenBehavior;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemAnswerOptionComponent;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemComponent;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemEnableWhenComponent;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemType;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemAnswerComponent;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemComponent;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseStatus;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.TimeType;
import org.hl7.fhir.r4.model.Type;
import org.hl7.fhir.r4.model.UriType;
import org.spgateway.validation.ValidationIssue;

/**
 * Checks a QuestionnaireResponse against the exact Questionnaire version it names: every item is one of
 * the Questionnaire's (at the right place), repeats only if it may, and every answer has the item's type
 * and lies in its range or among its options; a completed or amended response answers every required,
 * enabled item; a total the response carries equals the one computed from its answers. Each problem is
 * reported with the FHIRPath of the offending element and says, in words, what the item takes.
 *
 * <p>Only what the base specification cannot know is checked here: the structure of the resource
 * itself has already been validated (base specification and profiles) before this runs.
 */
final class ResponseRules {

	private ResponseRules() {}

	static List<ValidationIssue> check(QuestionnaireResponse response, Instrument instrument, AnswerValueSets valueSets) {
		Check check = new Check(instrument, isFinal(response.getStatus()), answersByLinkId(response), valueSets);
		check.items(instrument.questionnaire().getItem(), response.getItem(), "QuestionnaireResponse");
		// A draft may carry a running total; only a final response's total must add up.
		if (check.issues.stream().noneMatch(ValidationIssue::isError) && instrument.total() != null && check.complete) {
			check.total(response);
		}
		return check.issues;
	}

	/** Completed and amended responses are final: they must be whole, and they are scored. */
	static boolean isFinal(QuestionnaireResponseStatus status) {
		return status == QuestionnaireResponseStatus.COMPLETED || status == QuestionnaireResponseStatus.AMENDED;
	}

	private static final class Check {
		final Instrument instrument;
		final boolean complete;
		final Map<String, List<QuestionnaireResponseItemAnswerComponent>> answers;
		final AnswerValueSets valueSets;
		final List<ValidationIssue> issues = new ArrayList<>();

		Check(Instrument instrument, boolean complete, Map<String, List<QuestionnaireResponseItemAnswerComponent>> answers,
				AnswerValueSets valueSets) {
			this.instrument = instrument;
			this.complete = complete;
			this.answers = answers;
			this.valueSets = valueSets;
		}

		void items(List<QuestionnaireItemComponent> questions, List<QuestionnaireResponseItemComponent> given, String path) {
			Map<String, QuestionnaireItemComponent> byLinkId = new LinkedHashMap<>();
			questions.forEach(q -> byLinkId.put(q.getLinkId(), q));
			Map<String, Integer> seen = new HashMap<>();
			for (int i = 0; i < given.size(); i++) {
				QuestionnaireResponseItemComponent item = given.get(i);
				String at = path + ".item[" + i + "]";
				QuestionnaireItemComponent question = byLinkId.get(item.getLinkId());
				if (question == null) {
					unknown(item.getLinkId(), at, byLinkId);
					continue;
				}
				if (seen.merge(item.getLinkId(), 1, Integer::sum) > 1 && !question.getRepeats()) {
					error(IssueType.STRUCTURE, "Item '" + item.getLinkId() + "' appears more than once; in " + instrument.label()
							+ " it does not repeat", at);
				}
				item(question, item, at);
			}
			if (complete) {
				for (QuestionnaireItemComponent question : questions) {
					if (question.getRequired() && enabled(question) && !answered(question, given)) {
						error(IssueType.REQUIRED, "Required item '" + question.getLinkId() + "'" + text(question) + " has no answer; a "
								+ "completed response to " + instrument.label() + " must answer it", path + ".item.where(linkId='"
								+ question.getLinkId() + "')");
					}
				}
			}
		}

		void unknown(String linkId, String at, Map<String, QuestionnaireItemComponent> here) {
			String expected = here.isEmpty() ? "no items belong here" : "the items here are " + String.join(", ", here.keySet());
			error(IssueType.STRUCTURE, "Item '" + linkId + "' is not in Questionnaire " + instrument.label() + " (" + instrument.canonical()
					+ "); " + expected, at + ".linkId");
		}

		void item(QuestionnaireItemComponent question, QuestionnaireResponseItemComponent item, String at) {
			QuestionnaireItemType type = question.getType();
			if (type == QuestionnaireItemType.GROUP || type == QuestionnaireItemType.DISPLAY) {
				if (item.hasAnswer()) {
					error(IssueType.STRUCTURE, "Item '" + item.getLinkId() + "' is a " + type.toCode() + (type == QuestionnaireItemType.GROUP
							? "; it holds items, not answers" : "; it takes no answer"), at + ".answer[0]");
				}
				items(question.getItem(), item.getItem(), at);
				return;
			}
			if (item.hasItem()) {
				error(IssueType.STRUCTURE, "Item '" + item.getLinkId() + "' is a question; items nested under it belong in answer.item",
						at + ".item[0]");
			}
			List<QuestionnaireResponseItemAnswerComponent> given = item.getAnswer();
			if (given.size() > 1 && !question.getRepeats()) {
				error(IssueType.STRUCTURE, "Item '" + item.getLinkId() + "' takes one answer; this response gives " + given.size(),
						at + ".answer[1]");
			}
			for (int j = 0; j < given.size(); j++) {
				QuestionnaireResponseItemAnswerComponent answer = given.get(j);
				String answerAt = at + ".answer[" + j + "]";
				if (answer.hasValue()) {
					value(question, answer.getValue(), answerAt);
				}
				items(question.getItem(), answer.getItem(), answerAt);
			}
		}

		void value(QuestionnaireItemComponent question, Type value, String answerAt) {
			String element = elementName(value);
			String at = answerAt + "." + element;
			String linkId = question.getLinkId();
			ScoredItem scored = scoredItem(linkId);
			if (!typeFits(question, value)) {
				error(IssueType.STRUCTURE, "Item '" + linkId + "'" + text(question) + " takes " + expected(question, scored)
						+ "; the answer is a " + element, at);
				return;
			}
			if (value instanceof IntegerType i && i.getValue() != null) {
				Integer min = intBound(question, OutcomeExtensions.MIN_VALUE);
				Integer max = intBound(question, OutcomeExtensions.MAX_VALUE);
				if ((min != null && i.getValue() < min) || (max != null && i.getValue() > max)) {
					error(IssueType.VALUE, "Item '" + linkId + "'" + text(question) + " takes " + withoutElement(expected(question, scored))
							+ "; " + i.getValue() + " is out of range", at);
				}
			} else if (value instanceof DecimalType d && d.getValue() != null) {
				BigDecimal min = decimalBound(question, OutcomeExtensions.MIN_VALUE);
				BigDecimal max = decimalBound(question, OutcomeExtensions.MAX_VALUE);
				if ((min != null && d.getValue().compareTo(min) < 0) || (max != null && d.getValue().compareTo(max) > 0)) {
					error(IssueType.VALUE, "Item '" + linkId + "'" + text(question) + " takes " + withoutElement(expected(question, scored))
							+ "; " + d.getValueAsString() + " is out of range", at);
				}
			}
			if (question.hasAnswerOption() && !(question.getType() == QuestionnaireItemType.OPENCHOICE && value instanceof StringType)) {
				String key = ScoredItem.optionKey(value);
				boolean listed = question.getAnswerOption().stream().anyMatch(o -> sameOption(o, value, key));
				if (!listed) {
					error(IssueType.VALUE, "Answer " + describe(value) + " to item '" + linkId + "'" + text(question)
							+ " is not one of its options: " + options(question), at);
				}
			}
			if (question.hasAnswerValueSet() && value instanceof Coding coding) {
				inValueSet(question, coding, at);
			}
		}

		void inValueSet(QuestionnaireItemComponent question, Coding answer, String at) {
			String valueSet = question.getAnswerValueSet();
			switch (valueSets.of(valueSet, answer)) {
				case NOT_MEMBER -> error(IssueType.CODEINVALID, "Answer " + describe(answer) + " to item '" + question.getLinkId() + "'"
						+ text(question) + " is not in its value set " + valueSet, at);
				case CANNOT_TELL -> issues.add(ValidationIssue.warning(IssueType.INFORMATIONAL, "Answer " + describe(answer) + " to item '"
						+ question.getLinkId() + "' could not be checked against its value set " + valueSet
						+ ", which this gateway cannot expand; it was accepted as given", at));
				case MEMBER -> { }
			}
		}

		/** A total the response carries must be the one its answers give; the gateway computes it anyway. */
		void total(QuestionnaireResponse response) {
			ScoredItem total = instrument.total();
			Scores scores = Scores.of(response, instrument);
			String[] at = {null};
			IntegerType given = findTotalAnswer(response.getItem(), total.linkId(), "QuestionnaireResponse", at);
			if (given == null || given.getValue() == null) {
				return;
			}
			if (scores.total() == null) {
				error(IssueType.BUSINESSRULE, "Item '" + total.linkId() + "' (the total) is given, but not every scored item is answered,"
						+ " so " + instrument.label() + " has no total for this response; leave it out", at[0]);
			} else if (!scores.total().equals(given.getValue())) {
				error(IssueType.BUSINESSRULE, "Item '" + total.linkId() + "' (the total) is " + given.getValue() + " but the answers add up to "
						+ scores.total() + " (" + scores.workings() + "); the gateway computes the total, so it can be left out", at[0]);
			}
		}

		IntegerType findTotalAnswer(List<QuestionnaireResponseItemComponent> items, String linkId, String path, String[] at) {
			for (int i = 0; i < items.size(); i++) {
				QuestionnaireResponseItemComponent item = items.get(i);
				String here = path + ".item[" + i + "]";
				if (linkId.equals(item.getLinkId()) && item.hasAnswer() && item.getAnswerFirstRep().getValue() instanceof IntegerType v) {
					at[0] = here + ".answer[0].valueInteger";
					return v;
				}
				IntegerType nested = findTotalAnswer(item.getItem(), linkId, here, at);
				for (int j = 0; nested == null && j < item.getAnswer().size(); j++) {
					nested = findTotalAnswer(item.getAnswer().get(j).getItem(), linkId, here + ".answer[" + j + "]", at);
				}
				if (nested != null) {
					return nested;
				}
			}
			return null;
		}

		boolean enabled(QuestionnaireItemComponent question) {
			if (!question.hasEnableWhen()) {
				return true;
			}
			boolean any = question.getEnableBehavior() == EnableWhenBehavior.ANY;
			for (QuestionnaireItemEnableWhenComponent condition : question.getEnableWhen()) {
				boolean met = EnableWhen.met(condition, answers.getOrDefault(condition.getQuestion(), List.of()));
				if (any && met) {
					return true;
				}
				if (!any && !met) {
					return false;
				}
			}
			return !any;
		}

		ScoredItem scoredItem(String linkId) {
			ScoredItem s = instrument.scored().get(linkId);
			if (s == null && instrument.total() != null && instrument.total().linkId().equals(linkId)) {
				return instrument.total();
			}
			return s;
		}

		void error(IssueType type, String diagnostics, String expression) {
			issues.add(ValidationIssue.error(type, diagnostics, expression));
		}
	}

	private static boolean answered(QuestionnaireItemComponent question, List<QuestionnaireResponseItemComponent> given) {
		for (QuestionnaireResponseItemComponent item : given) {
			if (question.getLinkId().equals(item.getLinkId())) {
				if (question.getType() == QuestionnaireItemType.GROUP ? item.hasItem() : item.getAnswer().stream().anyMatch(a -> a.hasValue())) {
					return true;
				}
			}
		}
		return false;
	}

	private static boolean typeFits(QuestionnaireItemComponent question, Type value) {
		return switch (question.getType()) {
			case BOOLEAN -> value instanceof BooleanType;
			case DECIMAL -> value instanceof DecimalType;
			case INTEGER -> value instanceof IntegerType;
			case DATE -> value instanceof DateType;
			case DATETIME -> value instanceof DateTimeType;
			case TIME -> value instanceof TimeType;
			case STRING, TEXT -> value instanceof StringType;
			case URL -> value instanceof UriType;
			case ATTACHMENT -> value instanceof Attachment;
			case REFERENCE -> value instanceof Reference;
			case QUANTITY -> value instanceof Quantity;
			case CHOICE -> value instanceof Coding || optionTypeFits(question, value);
			case OPENCHOICE -> value instanceof Coding || value instanceof StringType || optionTypeFits(question, value);
			default -> false;
		};
	}

	private static boolean optionTypeFits(QuestionnaireItemComponent question, Type value) {
		return question.getAnswerOption().stream().anyMatch(o -> o.hasValue() && o.getValue().fhirType().equals(value.fhirType()));
	}

	private static boolean sameOption(QuestionnaireItemAnswerOptionComponent option, Type value, String key) {
		if (!option.hasValue()) {
			return false;
		}
		if (option.getValue() instanceof Coding o && value instanceof Coding v) {
			// A coding without a system matches an option with the same code only if the option has no system either.
			return java.util.Objects.equals(o.getCode(), v.getCode()) && java.util.Objects.equals(o.getSystem(), v.getSystem());
		}
		return key != null && key.equals(ScoredItem.optionKey(option.getValue()));
	}

	/** "a whole number from 1 (Not thinking about it) to 5 (As good as it can be) (valueInteger)". */
	private static String expected(QuestionnaireItemComponent question, ScoredItem scored) {
		return switch (question.getType()) {
			case INTEGER -> {
				if (scored != null) {
					yield "a whole number " + scored.rangeInWords() + " (valueInteger)";
				}
				Integer min = intBound(question, OutcomeExtensions.MIN_VALUE);
				Integer max = intBound(question, OutcomeExtensions.MAX_VALUE);
				yield "a whole number" + (min != null && max != null ? " from " + min + " to " + max : min != null ? " of at least " + min
						: max != null ? " of at most " + max : "") + " (valueInteger)";
			}
			case DECIMAL -> {
				BigDecimal min = decimalBound(question, OutcomeExtensions.MIN_VALUE);
				BigDecimal max = decimalBound(question, OutcomeExtensions.MAX_VALUE);
				yield "a number" + (min != null && max != null ? " from " + min.toPlainString() + " to " + max.toPlainString()
						: min != null ? " of at least " + min.toPlainString() : max != null ? " of at most " + max.toPlainString() : "")
						+ " (valueDecimal)";
			}
			case BOOLEAN -> "true or false (valueBoolean)";
			case DATE -> "a date (valueDate)";
			case DATETIME -> "a date and time (valueDateTime)";
			case TIME -> "a time (valueTime)";
			case STRING, TEXT -> "text (valueString)";
			case URL -> "a URL (valueUri)";
			case ATTACHMENT -> "an attachment (valueAttachment)";
			case REFERENCE -> "a reference (valueReference)";
			case QUANTITY -> "a quantity (valueQuantity)";
			case CHOICE, OPENCHOICE -> question.hasAnswerOption() ? "one of its options: " + options(question)
					: question.hasAnswerValueSet() ? "a code from value set " + question.getAnswerValueSet() + " (valueCoding)"
					: "a coded answer (valueCoding)";
			default -> "no answer";
		};
	}

	private static String withoutElement(String expected) {
		return expected.replaceFirst(" \\(value[A-Za-z]+\\)$", "");
	}

	private static String options(QuestionnaireItemComponent question) {
		return question.getAnswerOption().stream().filter(QuestionnaireItemAnswerOptionComponent::hasValue)
				.map(o -> describe(o.getValue())).collect(Collectors.joining(", "));
	}

	private static String describe(Type value) {
		if (value instanceof Coding c) {
			String code = (c.hasSystem() ? c.getSystem() + "|" : "") + c.getCode();
			return c.hasDisplay() ? code + " (" + c.getDisplay() + ")" : code;
		}
		if (value instanceof Reference r) {
			return r.getReference();
		}
		String primitive = value.primitiveValue();
		return primitive == null ? value.fhirType() : "'" + primitive + "'";
	}

	private static String text(QuestionnaireItemComponent question) {
		return question.hasText() ? " (" + question.getText() + ")" : "";
	}

	/** valueInteger, valueCoding ...: the JSON name of an answer's value, as the expression names it. */
	static String elementName(Type value) {
		String type = value.fhirType();
		return "value" + Character.toUpperCase(type.charAt(0)) + type.substring(1);
	}

	private static Integer intBound(QuestionnaireItemComponent question, String url) {
		Extension e = question.getExtensionByUrl(url);
		return e != null && e.getValue() instanceof IntegerType i ? i.getValue() : null;
	}

	private static BigDecimal decimalBound(QuestionnaireItemComponent question, String url) {
		Extension e = question.getExtensionByUrl(url);
		if (e == null) {
			return null;
		}
		if (e.getValue() instanceof DecimalType d) {
			return d.getValue();
		}
		return e.getValue() instanceof IntegerType i && i.getValue() != null ? BigDecimal.valueOf(i.getValue()) : null;
	}

	/** Every answer in the response by linkId (linkIds are unique within a Questionnaire), for enableWhen. */
	private static Map<String, List<QuestionnaireResponseItemAnswerComponent>> answersByLinkId(QuestionnaireResponse response) {
		Map<String, List<QuestionnaireResponseItemAnswerComponent>> map = new HashMap<>();
		collect(response.getItem(), map);
		return map;
	}

	private static void collect(List<QuestionnaireResponseItemComponent> items, Map<String, List<QuestionnaireResponseItemAnswerComponent>> map) {
		for (QuestionnaireResponseItemComponent item : items) {
			if (item.hasAnswer()) {
				map.computeIfAbsent(item.getLinkId(), k -> new ArrayList<>()).addAll(item.getAnswer());
			}
			collect(item.getItem(), map);
			item.getAnswer().forEach(a -> collect(a.getItem(), map));
		}
	}
}
