package org.spgateway.testsupport;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A token issuer for tests: a key pair made once per test run, whose public key every test gateway
 * trusts ({@link GatewayServer} configures it), and tokens minted with nimbus-jose-jwt for any client,
 * scope and timing, as an identity provider would issue them.
 */
public final class TestTokens {

	public static final String ISSUER = "https://test-issuer.sp-gateway.invalid";
	public static final String AUDIENCE = "sp-gateway-test";
	/** The client non-sandbox test gateways bind as an administrator, for requests that name no token of their own. */
	public static final String TEST_ADMIN = "test-admin";

	private static final RSAKey KEY = generate();

	private TestTokens() {}

	/** The test issuer's public key, base64 X.509, as gateway.security.issuers[].public-keys takes it. */
	public static String publicKey() {
		try {
			return Base64.getEncoder().encodeToString(KEY.toRSAPublicKey().getEncoded());
		} catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	/** A valid token of the test issuer for a client, with every permission, for an hour. */
	public static String forClient(String clientId) {
		return mint(KEY, c -> c.claim("client_id", clientId));
	}

	/** A token of the test issuer with its claims as the test wants them (on top of valid defaults). */
	public static String mint(Consumer<JWTClaimsSet.Builder> claims) {
		return mint(KEY, claims);
	}

	/** A token signed with another key (a forger's), claims otherwise as {@code claims} says. */
	public static String signedByAnotherKey(Consumer<JWTClaimsSet.Builder> claims) {
		return mint(generate(), claims);
	}

	/** A new RSA key pair, e.g. for a client's private_key_jwt. */
	public static RSAKey generate() {
		try {
			return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
		} catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	/** Signs claims with a key (RS256 for access tokens; see {@link #sign(RSAKey, JWSAlgorithm, JWTClaimsSet)}). */
	public static String mint(RSAKey key, Consumer<JWTClaimsSet.Builder> claims) {
		Instant now = Instant.now();
		JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
				.issuer(ISSUER)
				.audience(AUDIENCE)
				.subject("test-client")
				.issueTime(Date.from(now))
				.notBeforeTime(Date.from(now.minusSeconds(5)))
				.expirationTime(Date.from(now.plusSeconds(3600)))
				.jwtID(UUID.randomUUID().toString())
				.claim("scope", "system/*.cruds");
		claims.accept(builder);
		return sign(key, JWSAlgorithm.RS256, builder.build());
	}

	public static String sign(RSAKey key, JWSAlgorithm algorithm, JWTClaimsSet claims) {
		try {
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).build(), claims);
			jwt.sign(new RSASSASigner(key));
			return jwt.serialize();
		} catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
	}
}
