package org.spgateway.authentication;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTParser;
import jakarta.servlet.http.HttpServletRequest;
import java.security.PublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationManagerResolver;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * The token issuers the gateway trusts, each with its own keys and audiences. A token is routed by its
 * (not yet verified) {@code iss} to that issuer's decoder, which verifies the signature with the
 * issuer's keys and then the claims ({@link TokenChecks}); a token naming any other issuer is refused
 * before anything else is looked at.
 */
public final class TrustedIssuers implements AuthenticationManagerResolver<HttpServletRequest> {

	/** Signature algorithms accepted (SMART names RS384 and ES384; identity providers commonly use RS256). */
	private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
			JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.ES256, JWSAlgorithm.ES384);

	/** One trusted issuer: its iss value, its keys (a JWKS URI, or keys given directly) and the audiences its tokens must name. */
	public record Trusted(String issuer, String jwkSetUri, List<PublicKey> keys, List<String> audiences) {}

	private final Map<String, AuthenticationManager> byIssuer = new HashMap<>();
	private final AuthenticationManager untrusted;
	/** Null when the cache of verified tokens is off. */
	private final VerifiedTokens verified;
	private final AuthenticationManager manager = this::authenticate;

	public TrustedIssuers(List<Trusted> issuers, Duration clockSkew, Clock clock) {
		this(issuers, clockSkew, clock, 0);
	}

	/** @param verifiedTokens how many verified tokens to remember until they expire (0: verify every request's token in full) */
	public TrustedIssuers(List<Trusted> issuers, Duration clockSkew, Clock clock, long verifiedTokens) {
		this.verified = verifiedTokens > 0 ? new VerifiedTokens(verifiedTokens, clock) : null;
		for (Trusted trusted : issuers) {
			JwtDecoder decoder = decoder(trusted, clockSkew, clock);
			JwtAuthenticationProvider provider = new JwtAuthenticationProvider(decoder);
			byIssuer.put(trusted.issuer(), provider::authenticate);
		}
		untrusted = authentication -> {
			throw new InvalidBearerTokenException("The access token was not issued by a trusted issuer");
		};
	}

	/** The issuers of {@code gateway.security.issuers}, each with its audiences or the global ones. */
	public static List<Trusted> configured(SecurityProperties properties) {
		List<Trusted> out = new ArrayList<>();
		for (int i = 0; i < properties.getIssuers().size(); i++) {
			SecurityProperties.Issuer issuer = properties.getIssuers().get(i);
			String at = "gateway.security.issuers[" + i + "]";
			if (issuer.getIssuer() == null || issuer.getIssuer().isBlank()) {
				throw new IllegalStateException(at + ".issuer is not set");
			}
			List<PublicKey> keys = new ArrayList<>();
			for (int k = 0; k < issuer.getPublicKeys().size(); k++) {
				keys.add(PublicKeys.parse(issuer.getPublicKeys().get(k), at + ".public-keys[" + k + "]"));
			}
			if (keys.isEmpty() && (issuer.getJwkSetUri() == null || issuer.getJwkSetUri().isBlank())) {
				throw new IllegalStateException(at + " needs jwk-set-uri or public-keys: the gateway must know the keys its tokens are signed with");
			}
			List<String> audiences = issuer.getAudiences().isEmpty() ? properties.getAudiences() : issuer.getAudiences();
			if (audiences.isEmpty()) {
				throw new IllegalStateException(at + " has no audience: set gateway.security.audiences (or " + at + ".audiences) to what"
						+ " the issuer puts in its tokens' aud for this gateway");
			}
			out.add(new Trusted(issuer.getIssuer(), issuer.getJwkSetUri(), keys, List.copyOf(audiences)));
		}
		return out;
	}

	public boolean isEmpty() {
		return byIssuer.isEmpty();
	}

	@Override
	public AuthenticationManager resolve(HttpServletRequest request) {
		return manager;
	}

	private Authentication authenticate(Authentication authentication) {
		if (!(authentication instanceof BearerTokenAuthenticationToken bearer)) {
			return untrusted.authenticate(authentication);
		}
		if (verified != null) {
			JwtAuthenticationToken known = verified.find(bearer.getToken());
			if (known != null) {
				// A fresh authentication per request (Spring Security sets this request's details on it); the verified token is shared.
				JwtAuthenticationToken again = new JwtAuthenticationToken(known.getToken(), known.getAuthorities(), known.getName());
				again.setDetails(bearer.getDetails());
				return again;
			}
		}
		String issuer;
		try {
			issuer = JWTParser.parse(bearer.getToken()).getJWTClaimsSet().getIssuer();
		} catch (ParseException | RuntimeException e) {
			throw new InvalidBearerTokenException("The access token is not a well-formed JWT");
		}
		Authentication result = byIssuer.getOrDefault(issuer == null ? "" : issuer, untrusted).authenticate(authentication);
		if (verified != null && result instanceof JwtAuthenticationToken token) {
			verified.remember(bearer.getToken(), token);
		}
		return result;
	}

	/** How many verified tokens are remembered now (for tests and metrics). */
	long rememberedTokens() {
		return verified == null ? 0 : verified.size();
	}

	private static JwtDecoder decoder(Trusted trusted, Duration clockSkew, Clock clock) {
		NimbusJwtDecoder decoder;
		if (trusted.keys().isEmpty()) {
			decoder = NimbusJwtDecoder.withJwkSetUri(trusted.jwkSetUri())
					.jwsAlgorithms(algorithms -> ALGORITHMS.forEach(a -> algorithms.add(SignatureAlgorithm.from(a.getName()))))
					.build();
		} else {
			decoder = KeyDecoders.of(trusted.keys(), ALGORITHMS);
		}
		decoder.setJwtValidator(TokenChecks.of(trusted.issuer(), trusted.audiences(), clockSkew, clock));
		return decoder;
	}

}
