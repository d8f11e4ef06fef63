package org.spgateway.audit;

import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/** The patient a resource is about, as {@code Patient/id}: the Patient itself, or its subject, patient, for or beneficiary. */
final class PatientOf {

	private static final String[] ELEMENTS = {"subject", "patient", "for", "beneficiary"};

	private PatientOf() {}

	static String resource(Resource resource) {
		if (resource instanceof Patient patient) {
			return patient.getIdElement().hasIdPart() ? "Patient/" + patient.getIdElement().getIdPart() : null;
		}
		for (String name : ELEMENTS) {
			Property property = resource.getNamedProperty(name);
			if (property == null) {
				continue;
			}
			for (Base value : property.getValues()) {
				if (value instanceof Reference reference && reference.getReference() != null && reference.getReference().startsWith("Patient/")) {
					String ref = reference.getReference();
					int history = ref.indexOf("/_history/");
					return history < 0 ? ref : ref.substring(0, history);
				}
			}
		}
		return null;
	}
}
