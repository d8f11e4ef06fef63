package org.spgateway.security;

import ca.uhn.fhir.rest.api.server.RequestDetails;

/**
 * Decides who a request comes from and what it may see. Authentication (OAuth2 / SMART scopes, with
 * results filtered to the caller's organisation) is not built yet: until it is, this policy admits
 * every request with an unrestricted scope, and the gateway says so loudly at start-up.
 */
public class AccessPolicy {

	public AccessScope authorize(RequestDetails request) {
		return AccessScope.UNRESTRICTED;
	}
}
