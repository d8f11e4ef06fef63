package org.spgateway.hardening;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * What a response may be cached for. Everything is {@code no-store} (clinical data must not stay in browser,
 * proxy or client caches) except what any caller may read anyway: the CapabilityStatement and the public
 * conformance resources, read or searched without {@code _include} / {@code _revinclude} (which could add
 * clinical resources to the page) and without an operation.
 */
final class CachePolicy {

	static final String NO_STORE = "no-store";
	/** Briefly: a Questionnaire can change through the API, and a new release changes the rest. */
	static final String PUBLIC_BRIEFLY = "public, max-age=60";

	/** The conformance types issue 11 names public, and NamingSystem, which the gateway serves read-only beside them. */
	private static final Set<String> PUBLIC_TYPES = Set.of("StructureDefinition", "CodeSystem", "ValueSet", "ConceptMap", "StructureMap",
			"SearchParameter", "Questionnaire", "OperationDefinition", "ImplementationGuide", "NamingSystem");

	private CachePolicy() {}

	/**
	 * @param path the request path within the application, e.g. {@code /fhir/StructureDefinition/sp-patient}
	 * @param query the raw query string, or null
	 */
	static String cacheControl(String method, String path, String query) {
		if (!"GET".equals(method) && !"HEAD".equals(method) || path == null || !path.startsWith("/fhir/")) {
			return NO_STORE;
		}
		String[] segments = path.substring("/fhir/".length()).split("/", -1);
		if (segments.length == 1 && "metadata".equals(segments[0])) {
			return PUBLIC_BRIEFLY;
		}
		if (!PUBLIC_TYPES.contains(segments[0]) || segments.length > 4) {
			return NO_STORE;
		}
		for (String segment : segments) {
			if (segment.isEmpty() || segment.startsWith("$") || segment.startsWith("%24")) {
				return NO_STORE;
			}
		}
		String parameters = decoded(query);
		if (parameters == null || parameters.contains("_include") || parameters.contains("_revinclude") || parameters.contains("_has")) {
			return NO_STORE;
		}
		return PUBLIC_BRIEFLY;
	}

	/** The query with escapes decoded (so that %5Finclude is seen), "" for none, null when it cannot be decoded. */
	private static String decoded(String query) {
		if (query == null) {
			return "";
		}
		try {
			return URLDecoder.decode(query, StandardCharsets.UTF_8);
		} catch (IllegalArgumentException malformed) {
			return null;
		}
	}
}
