package org.spgateway.outcomes;

import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Coding;

/**
 * One scored item of an instrument (or its total): where its score comes from, its range, and how it
 * reads.
 *
 * @param ordinals for items answered by choosing an option, each option's key (see {@link #optionKey})
 *     to its ordinal value; empty for integer items, whose answer is the score
 * @param optionLabels the same keys to what the option says, for messages
 * @param extract whether the gateway makes an Observation of it (sdc-questionnaire-observationExtract)
 */
public record ScoredItem(
		String linkId,
		String text,
		List<Coding> codes,
		int low,
		int high,
		Map<String, Integer> ordinals,
		Map<String, String> optionLabels,
		boolean reverse,
		ScoreDirection direction,
		boolean extract,
		List<ScaleLabel> labels,
		boolean total) {

	/** A label for the values from..to of an integer scale. */
	public record ScaleLabel(int from, int to, String label) {}

	public boolean isChoice() {
		return !ordinals.isEmpty();
	}

	/** What this item adds to a sum total for a score. */
	public int contribution(int score) {
		return reverse ? low + high - score : score;
	}

	/** The label of a value: its scale label, or for a choice item the option with that ordinal value. */
	public String labelOf(int value) {
		for (ScaleLabel l : labels) {
			if (value >= l.from() && value <= l.to()) {
				return l.label();
			}
		}
		for (Map.Entry<String, Integer> option : ordinals.entrySet()) {
			if (option.getValue() == value) {
				return optionLabels.get(option.getKey());
			}
		}
		return null;
	}

	/** "from 1 (Not thinking about it) to 5 (As good as it can be)". */
	public String rangeInWords() {
		return "from " + withLabel(low) + " to " + withLabel(high);
	}

	/** "1 to 5; higher is better", for an Observation's reference range. */
	public String scaleText() {
		return "Scale " + rangeInWords() + "; " + (direction == ScoreDirection.LOWER_IS_BETTER ? "lower" : "higher") + " is better";
	}

	private String withLabel(int value) {
		String label = labelOf(value);
		return label == null ? Integer.toString(value) : value + " (" + label + ")";
	}

	/** The key of an answer option or answer value: its system and code, or its primitive value. */
	public static String optionKey(org.hl7.fhir.r4.model.Type value) {
		if (value instanceof Coding c) {
			return "Coding:" + (c.getSystem() == null ? "" : c.getSystem()) + "|" + c.getCode();
		}
		if (value instanceof org.hl7.fhir.r4.model.PrimitiveType<?> p) {
			return value.fhirType() + ":" + p.getValueAsString();
		}
		return null;
	}
}
