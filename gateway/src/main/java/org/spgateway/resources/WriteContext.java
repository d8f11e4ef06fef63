package org.spgateway.resources;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Map;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.security.AccessScope;

/**
 * Where a write comes from: the HTTP request (for its headers: request and correlation ids, BaRS
 * routing headers), the caller's access scope, whether it is one entry of a Bundle and, for a
 * transaction, the other entries' resources.
 *
 * @param request null for writes the gateway makes itself (e.g. start-up seeding)
 * @param bundleResources for a transaction: each entry's resource under its fullUrl and, once the
 *     entry's id is chosen, under the {@code Type/id} it will be stored as (entries that turn out to be
 *     stored already are not listed under Type/id). A handler uses it to see what its resource refers
 *     to before those entries are written. Filled in by the transaction processor as it goes.
 */
public record WriteContext(RequestDetails request, AccessScope scope, boolean inBundle, Map<String, Resource> bundleResources) {

	public WriteContext(RequestDetails request, AccessScope scope, boolean inBundle) {
		this(request, scope, inBundle, Map.of());
	}

	public static WriteContext system() {
		return new WriteContext(null, AccessScope.UNRESTRICTED, false);
	}

	public String header(String name) {
		return request == null ? null : request.getHeader(name);
	}

	/** The resource an entry of this transaction holds under {@code reference} (a fullUrl or Type/id), or null. */
	public Resource bundleResource(String reference) {
		return reference == null ? null : bundleResources.get(reference);
	}
}
