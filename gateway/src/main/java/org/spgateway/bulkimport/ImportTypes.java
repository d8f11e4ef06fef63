package org.spgateway.bulkimport;

import java.util.List;

/**
 * The resource types a caseload import may hold, in the order their files are stored: whatever a resource refers to
 * comes before it (the person before the referral, the referral before its Task, both before outcomes and Provenance),
 * so its access rows can be derived from what it refers to, as for a write through the API. The directory
 * (Organization, HealthcareService, Location, Endpoint) is the administrator's, Subscriptions are a client's own and the
 * conformance resources are files: none of them is imported.
 */
public final class ImportTypes {

	public static final List<String> ORDER = List.of("Patient", "RelatedPerson", "Practitioner", "PractitionerRole", "Condition", "Flag",
			"Consent", "ServiceRequest", "Task", "Encounter", "CarePlan", "Goal", "QuestionnaireResponse", "Observation", "Procedure",
			"Communication", "DocumentReference", "Provenance");

	private ImportTypes() {}

	public static boolean importable(String type) {
		return ORDER.contains(type);
	}

	/** Where a type's file comes in the job (unknown types last, though they are refused before a job starts). */
	public static int rank(String type) {
		int i = ORDER.indexOf(type);
		return i < 0 ? ORDER.size() : i;
	}
}
