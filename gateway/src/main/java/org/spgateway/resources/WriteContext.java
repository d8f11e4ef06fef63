package org.spgateway.resources;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.spgateway.security.AccessScope;

/**
 * Where a write comes from: the HTTP request (for its headers: request and correlation ids, BaRS
 * routing headers), the caller's access scope, and whether it is one entry of a Bundle.
 *
 * @param request null for writes the gateway makes itself (e.g. start-up seeding)
 */
public record WriteContext(RequestDetails request, AccessScope scope, boolean inBundle) {

	public static WriteContext system() {
		return new WriteContext(null, AccessScope.UNRESTRICTED, false);
	}

	public String header(String name) {
		return request == null ? null : request.getHeader(name);
	}
}
