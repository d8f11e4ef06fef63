package org.spgateway.store;

/**
 * One version in a resource's history and the interaction that wrote it: POST, PUT or PATCH through the
 * API, or LOAD for a conformance resource read from the gateway's folders at start-up.
 */
public record HistoryEntry(StoredResource version, String method) {

	/** The FHIR HTTP verb a history Bundle shows for this version (a start-up load reads as a PUT to its id). */
	public String httpVerb() {
		return "LOAD".equals(method) ? "PUT" : method;
	}
}
