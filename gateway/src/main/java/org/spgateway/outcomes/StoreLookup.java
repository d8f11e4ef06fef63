package org.spgateway.outcomes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.spgateway.security.AccessScope;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.SearchRequest;
import org.spgateway.store.SearchRequestParser;
import org.spgateway.store.StoredResource;

/**
 * FHIR searches outcome capture makes for itself (Questionnaire versions, a response's Observations, a
 * referral's responses), through the same parser and index as the REST API. It talks to the store
 * directly rather than to ResourceService because it also serves change listeners, which
 * ResourceService depends on.
 */
final class StoreLookup {

	private final ResourceStore store;
	private final SearchRequestParser parser;

	StoreLookup(ResourceStore store, SearchRequestParser parser) {
		this.store = store;
		this.parser = parser;
	}

	/** Current resources of {@code type} matching every parameter (exact values, no OR), up to {@code limit}. */
	List<StoredResource> find(String type, Map<String, String> criteria, int limit, AccessScope scope) {
		Map<String, String[]> params = new LinkedHashMap<>();
		criteria.forEach((name, value) -> params.put(name, new String[] {escape(value)}));
		SearchRequest parsed = parser.parse(type, params, false);
		// The limit is this capability's, not the REST page size the parser would cap _count at.
		SearchRequest request = new SearchRequest(type, parsed.clauses(), List.of(), 0, limit, SearchRequest.Total.NONE, List.of(), List.of());
		return store.search(request, scope, 0, 0).matches();
	}

	ResourceStore store() {
		return store;
	}

	/** A search value is split on commas (OR); a literal comma or backslash is escaped. */
	private static String escape(String value) {
		return value.replace("\\", "\\\\").replace(",", "\\,");
	}
}
