package org.spgateway.authentication.sandbox;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.util.List;
import java.util.UUID;
import org.spgateway.authentication.SecurityProperties;
import org.spgateway.authentication.TrustedIssuers;

/**
 * The key the sandbox signs its access tokens with: RSA, made when the gateway starts and kept in
 * memory only, so a token outlives neither a restart nor the sandbox (a gateway outside sandbox mode
 * has no such key and does not trust the sandbox issuer). Each instance of a sandbox has its own.
 */
public final class SandboxSigningKey {

	private final RSAKey key;

	public SandboxSigningKey() {
		try {
			key = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).keyID("sandbox-" + UUID.randomUUID()).generate();
		} catch (JOSEException e) {
			throw new IllegalStateException("Could not make the sandbox's token signing key", e);
		}
	}

	public JWKSet jwkSet() {
		return new JWKSet(key);
	}

	/** The sandbox issuer as the resource server trusts it: this key, the sandbox audience. */
	public TrustedIssuers.Trusted trusted(SecurityProperties.Sandbox sandbox) {
		try {
			return new TrustedIssuers.Trusted(sandbox.getIssuer(), null, List.of(key.toRSAPublicKey()), List.of(sandbox.getAudience()));
		} catch (JOSEException e) {
			throw new IllegalStateException("The sandbox's token signing key has no public key", e);
		}
	}
}
