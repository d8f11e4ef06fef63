package org.spgateway.store;

import java.time.Instant;

/** One version of a resource as stored: its JSON carries meta.versionId and meta.lastUpdated. */
public record StoredResource(long pk, String type, String id, int version, Instant lastUpdated, String origin, String json) {

	public static final String ORIGIN_API = "api";
	public static final String ORIGIN_CONFORMANCE = "conformance";

	/** {@code Type/id/_history/n}: this very version, as Provenance targets name it. */
	public String versionedId() {
		return type + "/" + id + "/_history/" + version;
	}

	public String versionlessId() {
		return type + "/" + id;
	}

	public boolean isConformance() {
		return ORIGIN_CONFORMANCE.equals(origin);
	}
}
