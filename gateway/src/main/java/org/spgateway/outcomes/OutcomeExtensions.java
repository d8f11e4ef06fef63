package org.spgateway.outcomes;

/**
 * The extensions an instrument's Questionnaire uses to say how it is scored. Standard FHIR and SDC
 * extensions where they exist; the gateway's own (defined in profiles/StructureDefinition) where not.
 */
final class OutcomeExtensions {

	static final String OWN = "https://spgateway.org/fhir/StructureDefinition/";
	/** higher-is-better | lower-is-better, on a scored item or the total. */
	static final String SCORE_DIRECTION = OWN + "sp-score-direction";
	/** The item counts in reverse towards the total. */
	static final String REVERSE_SCORED = OWN + "sp-reverse-scored";
	/** Marks the read-only item that is the instrument's total, with the method (sum). */
	static final String SCORE_TOTAL = OWN + "sp-score-total";
	/** A label for a value or band of an integer scale (from, to, label). */
	static final String SCALE_LABEL = OWN + "sp-scale-label";
	/** Time to the next review (interval, and on a HealthcareService optionally the instrument). */
	static final String REVIEW_INTERVAL = OWN + "sp-review-interval";

	static final String MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue";
	static final String MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue";
	/** R4's answer weight; SDC's later name for the same thing is itemWeight. Both are read. */
	static final String ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
	static final String ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight";
	static final String OBSERVATION_EXTRACT = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observationExtract";

	private OutcomeExtensions() {}
}
