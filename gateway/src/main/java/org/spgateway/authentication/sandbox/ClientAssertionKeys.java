package org.spgateway.authentication.sandbox;

import java.security.PublicKey;
import com.nimbusds.jose.JWSAlgorithm;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.spgateway.authentication.ClientBindings;
import org.spgateway.authentication.KeyDecoders;
import org.spgateway.authentication.PublicKeys;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoderFactory;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionDecoderFactory;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * Verifies private_key_jwt client assertions (SMART Backend Services) with the public key a client
 * registered in configuration ({@code gateway.security.clients.<id>.public-key}): Spring Authorization
 * Server's own factory only fetches keys from a JWKS URL. The claims are checked by Spring's standard
 * assertion checks (iss and sub are the client, aud is this token endpoint, exp), plus SMART's rule that
 * an assertion's {@code jti} is used once.
 */
final class ClientAssertionKeys implements JwtDecoderFactory<RegisteredClient> {

	private final ClientBindings bindings;
	private final Map<String, JwtDecoder> decoders = new ConcurrentHashMap<>();
	private final Map<String, Instant> seen = new ConcurrentHashMap<>();

	ClientAssertionKeys(ClientBindings bindings) {
		this.bindings = bindings;
	}

	@Override
	public JwtDecoder createDecoder(RegisteredClient client) {
		return decoders.computeIfAbsent(client.getClientId(), id -> {
			ClientBindings.Binding binding = bindings.find(id);
			if (binding == null || binding.publicKey() == null) {
				throw new OAuth2AuthenticationException(
						new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT, "The client has no public key registered for private_key_jwt", null));
			}
			PublicKey key = PublicKeys.parse(binding.publicKey(), "gateway.security.clients." + id + ".public-key");
			// SMART Backend Services: assertions are signed RS384 or ES384.
			NimbusJwtDecoder decoder = KeyDecoders.of(List.of(key), Set.of(JWSAlgorithm.RS384, JWSAlgorithm.ES384));
			decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
					JwtClientAssertionDecoderFactory.DEFAULT_JWT_VALIDATOR_FACTORY.apply(client), this::usedOnce));
			return decoder;
		});
	}

	/** An assertion's jti may not be used again while the assertion is valid (SMART Backend Services, replay). */
	private OAuth2TokenValidatorResult usedOnce(Jwt assertion) {
		Instant now = Instant.now();
		seen.values().removeIf(expires -> expires.isBefore(now));
		String jti = assertion.getId();
		if (jti == null || jti.isBlank()) {
			return OAuth2TokenValidatorResult.failure(new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT, "The client assertion has no jti", null));
		}
		Instant expires = assertion.getExpiresAt() == null ? now.plusSeconds(300) : assertion.getExpiresAt();
		if (seen.putIfAbsent(assertion.getSubject() + " " + jti, expires) != null) {
			return OAuth2TokenValidatorResult.failure(new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT,
					"The client assertion's jti has been used already: make a new assertion for each token request", null));
		}
		return OAuth2TokenValidatorResult.success();
	}
}
