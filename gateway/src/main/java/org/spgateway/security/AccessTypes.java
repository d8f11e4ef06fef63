package org.spgateway.security;

import java.util.HashSet;
import java.util.Set;

/** The resource types the access model treats alike, named once for the policy, the derivation and the docs. */
public final class AccessTypes {

	/** Conformance resources: anyone may read them, authenticated or not (issue 11). */
	public static final Set<String> CONFORMANCE = Set.of("StructureDefinition", "CodeSystem", "ValueSet", "ConceptMap", "StructureMap",
			"SearchParameter", "Questionnaire", "OperationDefinition", "ImplementationGuide");

	/**
	 * The directory: every authenticated caller may read it (a referrer chooses services, a provider finds
	 * community groups). Endpoints are not in it: their addresses are their organisation's and the administrator's.
	 */
	public static final Set<String> DIRECTORY = Set.of("Organization", "HealthcareService", "Location", "Practitioner", "PractitionerRole");

	/** What an administrator manages and reads without break-glass: the directory, Endpoints, Subscriptions, mappings, the audit trail. */
	public static final Set<String> ADMINISTERED = union(DIRECTORY, CONFORMANCE, Set.of("Endpoint", "Subscription", "AuditEvent"));

	/** Readable by every authenticated caller. */
	public static final Set<String> AUTHENTICATED = union(DIRECTORY, CONFORMANCE, Set.of());

	private AccessTypes() {}

	@SafeVarargs
	private static Set<String> union(Set<String>... sets) {
		Set<String> all = new HashSet<>();
		for (Set<String> s : sets) {
			all.addAll(s);
		}
		return Set.copyOf(all);
	}
}
