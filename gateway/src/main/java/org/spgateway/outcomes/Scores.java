package org.spgateway.outcomes;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemComponent;
import org.hl7.fhir.r4.model.Type;

/**
 * The scores one response gives on one instrument: each answered scored item's score (its integer
 * answer, or the ordinal value of the chosen option) and, when the instrument has a total and every
 * scored item is answered, the total.
 *
 * @param items linkId to score, in the instrument's item order
 * @param workings how the total was reached, e.g. "companionship 2 + left-out 3 + isolated 2"
 */
public record Scores(Map<String, Integer> items, Integer total, String workings) {

	public static Scores of(QuestionnaireResponse response, Instrument instrument) {
		Map<String, Type> answers = new HashMap<>();
		firstAnswers(response.getItem(), answers);
		Map<String, Integer> items = new LinkedHashMap<>();
		for (ScoredItem item : instrument.scoredItems()) {
			Integer score = score(item, answers.get(item.linkId()));
			if (score != null) {
				items.put(item.linkId(), score);
			}
		}
		Integer total = null;
		StringBuilder workings = new StringBuilder();
		if (instrument.total() != null && items.size() == instrument.scored().size()) {
			int sum = 0;
			for (ScoredItem item : instrument.scoredItems()) {
				int score = items.get(item.linkId());
				int contribution = item.contribution(score);
				sum += contribution;
				workings.append(workings.isEmpty() ? "" : " + ").append(item.linkId()).append(' ');
				workings.append(item.reverse() ? "(reversed: " + item.low() + " + " + item.high() + " - " + score + " = " + contribution + ")"
						: Integer.toString(score));
			}
			total = sum;
		}
		return new Scores(items, total, workings.toString());
	}

	/** The score of one item or the total, by linkId. */
	public Integer scoreOf(ScoredItem item) {
		return item.total() ? total : items.get(item.linkId());
	}

	private static Integer score(ScoredItem item, Type answer) {
		if (answer == null) {
			return null;
		}
		if (item.isChoice()) {
			return item.ordinals().get(ScoredItem.optionKey(answer));
		}
		return answer instanceof IntegerType i ? i.getValue() : null;
	}

	private static void firstAnswers(List<QuestionnaireResponseItemComponent> items, Map<String, Type> answers) {
		for (QuestionnaireResponseItemComponent item : items) {
			if (item.hasAnswer() && item.getAnswerFirstRep().hasValue()) {
				answers.putIfAbsent(item.getLinkId(), item.getAnswerFirstRep().getValue());
			}
			firstAnswers(item.getItem(), answers);
			item.getAnswer().forEach(a -> firstAnswers(a.getItem(), answers));
		}
	}
}
