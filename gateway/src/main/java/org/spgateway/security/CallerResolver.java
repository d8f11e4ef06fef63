package org.spgateway.security;

import ca.uhn.fhir.rest.api.server.RequestDetails;

/**
 * Finds the {@link Caller} of a FHIR request from its authentication (the verified access token and
 * the client binding in configuration). Null means the request is not authenticated, which only the
 * public endpoints (metadata, conformance resources) allow.
 */
public interface CallerResolver {

	Caller resolve(RequestDetails request);
}
