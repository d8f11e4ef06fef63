package org.spgateway.outcomes;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Observation.ObservationStatus;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.Reference;
import org.spgateway.store.LocalReference;

/**
 * Turns a final response into Observations (SDC observation-based extraction): one per answered scored
 * item marked for extraction, and one for the total. Each carries the item's code, the score as
 * valueInteger, the response's subject, authored time, author and referral, the scale it was measured
 * on, and a business identifier naming the response and item, from which its id is also derived: the
 * Observation of one item of one response is always the same resource, so an amendment updates it in
 * place rather than adding another.
 */
final class ObservationExtractor {

	/** Business identifiers of extracted Observations: {@code QuestionnaireResponse/[id]#[linkId]}. */
	static final String IDENTIFIER_SYSTEM = "https://spgateway.org/fhir/Id/extracted-observation";
	static final Coding SURVEY = new Coding("http://terminology.hl7.org/CodeSystem/observation-category", "survey", "Survey");
	/** The reference types an Observation's performer may have; a response's author may also be a Device. */
	private static final Set<String> PERFORMER_TYPES = Set.of("Practitioner", "PractitionerRole", "Organization", "CareTeam", "Patient",
			"RelatedPerson");

	record Extracted(String id, ScoredItem item, Observation observation) {}

	private ObservationExtractor() {}

	static List<Extracted> extract(QuestionnaireResponse response, String responseId, Instrument instrument, Scores scores,
			Reference referral) {
		List<Extracted> result = new ArrayList<>();
		for (ScoredItem item : instrument.scoredItems()) {
			Integer score = scores.items().get(item.linkId());
			if (item.extract() && score != null) {
				result.add(observation(response, responseId, item, score, referral));
			}
		}
		ScoredItem total = instrument.total();
		if (total != null && total.extract() && scores.total() != null) {
			result.add(observation(response, responseId, total, scores.total(), referral));
		}
		return result;
	}

	static String businessId(String responseId, String linkId) {
		return "QuestionnaireResponse/" + responseId + "#" + linkId;
	}

	/** A name-based UUID of the business identifier: stable, and within the 64 characters an id may have. */
	static String observationId(String responseId, String linkId) {
		return UUID.nameUUIDFromBytes(businessId(responseId, linkId).getBytes(StandardCharsets.UTF_8)).toString();
	}

	private static Extracted observation(QuestionnaireResponse response, String responseId, ScoredItem item, int score, Reference referral) {
		Observation o = new Observation();
		o.addIdentifier().setSystem(IDENTIFIER_SYSTEM).setValue(businessId(responseId, item.linkId()));
		o.addBasedOn(referral.copy());
		o.setStatus(ObservationStatus.FINAL);
		o.addCategory(new CodeableConcept().addCoding(SURVEY.copy()));
		CodeableConcept code = new CodeableConcept();
		item.codes().forEach(c -> code.addCoding(c.copy()));
		if (item.text() != null) {
			code.setText(item.text());
		}
		o.setCode(code);
		o.setSubject(response.getSubject().copy());
		if (response.hasEncounter()) {
			o.setEncounter(response.getEncounter().copy());
		}
		o.setEffective(new DateTimeType(response.getAuthoredElement().getValueAsString()));
		if (response.hasAuthor() && performerAllowed(response.getAuthor())) {
			o.addPerformer(response.getAuthor().copy());
		}
		o.setValue(new IntegerType(score));
		o.addReferenceRange().setLow(new org.hl7.fhir.r4.model.Quantity(item.low())).setHigh(new org.hl7.fhir.r4.model.Quantity(item.high()))
				.setText(item.scaleText());
		o.addDerivedFrom(new Reference("QuestionnaireResponse/" + responseId));
		return new Extracted(observationId(responseId, item.linkId()), item, o);
	}

	private static boolean performerAllowed(Reference author) {
		LocalReference local = LocalReference.parse(author.getReference());
		String type = local != null ? local.type() : author.getType();
		return type == null ? author.hasIdentifier() || author.hasDisplay() : PERFORMER_TYPES.contains(type);
	}
}
