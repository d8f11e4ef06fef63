package org.spgateway.outcomes;

import java.time.Period;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.hl7.fhir.r4.model.Questionnaire;

/**
 * One version of a Questionnaire as outcome capture uses it: the Questionnaire itself (for checking
 * responses item by item) and what it says about scoring, compiled once. An instrument with no scored
 * items is still a Questionnaire responses are checked against; it just yields no scores.
 *
 * @param id the stored Questionnaire's id
 * @param scored the scored items, in Questionnaire order, by linkId (the total is not among them)
 * @param total the total, or null when the instrument has none
 * @param reviewInterval the instrument's own review interval (sp-review-interval), or null
 * @param signature what must be equal for two versions' scores to be comparable: the scored items, their
 *     codes, ranges, reversal and direction, and the total
 * @param problems why the Questionnaire cannot be used for scoring; empty when it can
 */
public record Instrument(
		Questionnaire questionnaire,
		String id,
		String url,
		String version,
		String name,
		String title,
		PublicationStatus status,
		Map<String, ScoredItem> scored,
		ScoredItem total,
		Period reviewInterval,
		String signature,
		List<Instrument.Problem> problems) {

	/** Something wrong with how the Questionnaire defines its scoring; linkId is null for the Questionnaire as a whole. */
	public record Problem(String linkId, String message) {

		/** The FHIRPath of the item the problem is about, e.g. Questionnaire.repeat(item).where(linkId='total'). */
		public String expression() {
			return linkId == null ? "Questionnaire" : "Questionnaire.repeat(item).where(linkId='" + linkId + "')";
		}
	}

	public boolean isScored() {
		return !scored.isEmpty();
	}

	public boolean isUsable() {
		return problems.isEmpty();
	}

	/** url|version, or url alone for a Questionnaire without a version. */
	public String canonical() {
		return version == null ? url : url + "|" + version;
	}

	/** "WellbeingStar 1.0.0", for messages. */
	public String label() {
		String n = name != null ? name : title != null ? title : url;
		return version == null ? n : n + " " + version;
	}

	public List<String> problemMessages() {
		return problems.stream().map(Problem::message).toList();
	}

	public Collection<ScoredItem> scoredItems() {
		return scored.values();
	}
}
