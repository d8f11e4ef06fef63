package org.spgateway.hardening;

import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;

/**
 * Which client a request comes from, for per-client limits: the one place to change when authentication
 * identifies clients differently. Replace the bean to change it.
 */
@FunctionalInterface
public interface ClientIdentity {

	/**
	 * The request attribute an authentication filter sets to the caller's client id (the {@code clientId} of
	 * {@code RequestGate.callerOf}), read first.
	 */
	String CLIENT_ID_ATTRIBUTE = "org.spgateway.clientId";

	/** The client id of the request, or null when it has none (then its network address stands for it). */
	String clientIdOf(HttpServletRequest request);

	/**
	 * The attribute above, else the authenticated principal's name (a Spring Security resource server makes it
	 * the token's subject, which is the client id for client-credentials tokens), else none.
	 */
	static ClientIdentity standard() {
		return request -> {
			if (request.getAttribute(CLIENT_ID_ATTRIBUTE) instanceof String clientId && !clientId.isBlank()) {
				return clientId;
			}
			Principal principal = request.getUserPrincipal();
			return principal != null && principal.getName() != null && !principal.getName().isBlank() ? principal.getName() : null;
		};
	}
}
