package org.spgateway.authentication;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * The claims checks of an access token, after its signature: issuer, audience, expiry and not-before.
 * Written here rather than taken from Spring Security's defaults so that each refusal says in plain words
 * what is wrong (the description reaches the caller in the OperationOutcome and WWW-Authenticate).
 */
public final class TokenChecks {

	private TokenChecks() {}

	public static OAuth2TokenValidator<Jwt> of(String issuer, List<String> audiences, Duration clockSkew, Clock clock) {
		return token -> {
			String problem = problem(token, issuer, audiences, clockSkew, clock.instant());
			return problem == null ? OAuth2TokenValidatorResult.success()
					: OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", problem, null));
		};
	}

	static String problem(Jwt token, String issuer, List<String> audiences, Duration skew, Instant now) {
		if (!issuer.equals(token.getClaimAsString("iss"))) {
			return "The access token was not issued by a trusted issuer";
		}
		List<String> aud = token.getAudience() == null ? List.of() : token.getAudience();
		if (aud.stream().noneMatch(audiences::contains)) {
			return "The access token is not meant for this gateway: its audience (aud) must be one of " + String.join(", ", audiences);
		}
		Instant expires = token.getExpiresAt();
		if (expires == null) {
			return "The access token has no expiry time (exp)";
		}
		if (now.minus(skew).isAfter(expires)) {
			return "The access token has expired";
		}
		Instant notBefore = token.getNotBefore();
		if (notBefore != null && now.plus(skew).isBefore(notBefore)) {
			return "The access token is not valid yet (nbf is in the future)";
		}
		return null;
	}
}
