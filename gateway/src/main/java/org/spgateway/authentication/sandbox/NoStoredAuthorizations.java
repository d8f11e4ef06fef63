package org.spgateway.authentication.sandbox;

import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;

/**
 * The sandbox keeps no record of the tokens it issues: they are self-contained signed JWTs checked by
 * signature, and client_credentials needs no stored grant. (Spring's in-memory store would grow with
 * every token a long-running sandbox issues.) So there is no introspection or revocation either.
 */
final class NoStoredAuthorizations implements OAuth2AuthorizationService {

	@Override
	public void save(OAuth2Authorization authorization) {
		// nothing kept, see the class comment
	}

	@Override
	public void remove(OAuth2Authorization authorization) {
		// nothing kept
	}

	@Override
	public OAuth2Authorization findById(String id) {
		return null;
	}

	@Override
	public OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
		return null;
	}
}
