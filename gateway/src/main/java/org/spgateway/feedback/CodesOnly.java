package org.spgateway.feedback;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;

/**
 * Feedback for a referrer that files codes only: the SNOMED CT coded entries a GP record files (the Procedure or situation an
 * event maps to by {@code sp-feedback-event-to-snomed}, and the scores of a discharge), each cut down to what filing needs: its
 * SNOMED CT codings (no text), status, subject, the referral it is based on, when, and a score's number. No narrative, no
 * Communication, no free text, no Task or organisations. docs/mappings.md shows both bodies.
 */
public final class CodesOnly {

	private static final String SNOMED = "http://snomed.info/sct";
	private static final String NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number";

	private CodesOnly() {}

	/** The coded entries of the feedback as carried, cut down; empty when the event files nothing (most steps). */
	public static List<Resource> entries(List<Resource> carried) {
		List<Resource> out = new ArrayList<>();
		for (Resource r : carried) {
			if (r instanceof Procedure p && snomed(p.getCode()) != null) {
				Procedure cut = new Procedure();
				cut.setId(p.getIdElement().getIdPart());
				cut.setStatus(p.getStatus()).setCode(snomed(p.getCode())).setSubject(p.getSubject().copy()).setPerformed(p.getPerformed());
				p.getBasedOn().forEach(b -> cut.addBasedOn(b.copy()));
				out.add(cut);
			} else if (r instanceof Observation o && snomed(o.getCode()) != null) {
				Observation cut = new Observation();
				cut.setId(o.getIdElement().getIdPart());
				cut.setStatus(o.getStatus()).setCode(snomed(o.getCode())).setSubject(o.getSubject().copy()).setEffective(o.getEffective());
				o.getBasedOn().forEach(b -> cut.addBasedOn(b.copy()));
				if (o.hasValue() && !(o.getValue() instanceof StringType) && !(o.getValue() instanceof CodeableConcept)) {
					cut.setValue(o.getValue().copy());
				} else if (o.getValue() instanceof CodeableConcept cc && snomed(cc) != null) {
					cut.setValue(snomed(cc));
				}
				out.add(cut);
			}
		}
		return out;
	}

	/**
	 * The codes-only body for a webhook: a {@code collection} Bundle of the person (its NHS number only, so the record is found)
	 * and the coded entries; null when there are none.
	 */
	public static Bundle bundle(Bundle carried) {
		List<Resource> resources = carried.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(r -> r != null).toList();
		List<Resource> coded = entries(resources);
		if (coded.isEmpty()) {
			return null;
		}
		Date at = carried.getTimestamp() == null ? new Date() : carried.getTimestamp();
		Bundle out = new Bundle().setType(Bundle.BundleType.COLLECTION).setTimestamp(at);
		for (Resource r : resources) {
			if (r instanceof Patient person) {
				Patient cut = new Patient();
				cut.setId(person.getIdElement().getIdPart());
				for (Identifier id : person.getIdentifier()) {
					if (NHS_NUMBER.equals(id.getSystem())) {
						cut.addIdentifier(new Identifier().setSystem(NHS_NUMBER).setValue(id.getValue()));
					}
				}
				out.addEntry().setFullUrl("Patient/" + cut.getIdPart()).setResource(cut);
			}
		}
		coded.forEach(r -> out.addEntry().setFullUrl(r.fhirType() + "/" + r.getIdElement().getIdPart()).setResource(r));
		return out;
	}

	/** The SNOMED CT codings of a concept, without its text; null when it has none. */
	private static CodeableConcept snomed(CodeableConcept concept) {
		CodeableConcept out = new CodeableConcept();
		for (Coding c : concept.getCoding()) {
			if (SNOMED.equals(c.getSystem()) && c.hasCode()) {
				out.addCoding(new Coding(SNOMED, c.getCode(), c.getDisplay()));
			}
		}
		return out.hasCoding() ? out : null;
	}
}
