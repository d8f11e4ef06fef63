package org.spgateway.server;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** The resource types the gateway serves, and which of them are read-only conformance types. */
public final class ServedResourceTypes {

	/** Written and read through the API. */
	public static final List<String> WRITABLE = List.of(
			"Patient", "Organization", "Practitioner", "PractitionerRole", "HealthcareService", "Endpoint", "ServiceRequest", "Task",
			"Condition", "Questionnaire", "QuestionnaireResponse", "Observation", "Communication", "Consent", "AuditEvent", "Provenance",
			"Subscription", "Flag", "Encounter",
			// What a BaRS referral message carries as the sender's context (intake.SenderContext).
			"CarePlan", "RelatedPerson", "Location", "MedicationStatement");

	/**
	 * Written by the gateway itself (the intake, workflow and feedback Provenance, the audit trail): read and
	 * searched through the API, never created, updated or patched there. Also in {@link #WRITABLE}, which
	 * lists every type held in the resource store.
	 */
	public static final List<String> RECORDED = List.of("AuditEvent", "Provenance");

	/** Loaded from profiles/ and mappings/ at start-up; read and searched only. */
	public static final List<String> READ_ONLY = List.of(
			"StructureDefinition", "CodeSystem", "ValueSet", "ConceptMap", "StructureMap", "SearchParameter", "ImplementationGuide",
			"NamingSystem");

	private ServedResourceTypes() {}

	public static List<String> all() {
		return Stream.concat(WRITABLE.stream(), READ_ONLY.stream()).toList();
	}

	public static Set<String> readOnly() {
		return Set.copyOf(READ_ONLY);
	}
}
