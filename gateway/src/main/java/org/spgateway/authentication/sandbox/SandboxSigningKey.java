package org.spgateway.authentication.sandbox;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.spgateway.authentication.SecurityProperties;
import org.spgateway.authentication.TrustedIssuers;

/**
 * The key the sandbox signs its access tokens with: RSA, made when the gateway starts and kept in
 * memory only, so a token outlives neither a restart nor the sandbox (a gateway outside sandbox mode
 * has no such key and does not trust the sandbox issuer). Each instance of a sandbox has its own.
 *
 * <p>Making a 2048-bit key in a JVM that has compiled nothing yet took about 0.7 s of the main thread's
 * start-up (issue 14), so it is made on a thread of its own from the moment the context is created
 * ({@link SandboxSigningKeyInitializer}); the first use waits for it, by then long done.
 */
public final class SandboxSigningKey {

	private final CompletableFuture<RSAKey> key;

	private SandboxSigningKey(CompletableFuture<RSAKey> key) {
		this.key = key;
	}

	/** Starts making a key on a daemon thread and returns at once. */
	static SandboxSigningKey makeInBackground() {
		CompletableFuture<RSAKey> key = new CompletableFuture<>();
		Thread maker = new Thread(() -> {
			try {
				key.complete(generate());
			} catch (RuntimeException e) {
				key.completeExceptionally(e);
			}
		}, "sandbox-signing-key");
		maker.setDaemon(true);
		maker.start();
		return new SandboxSigningKey(key);
	}

	private static RSAKey generate() {
		try {
			return new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).keyID("sandbox-" + UUID.randomUUID()).generate();
		} catch (JOSEException e) {
			throw new IllegalStateException("Could not make the sandbox's token signing key", e);
		}
	}

	public JWKSet jwkSet() {
		return new JWKSet(key.join());
	}

	/** The sandbox issuer as the resource server trusts it: this key, the sandbox audience. */
	public TrustedIssuers.Trusted trusted(SecurityProperties.Sandbox sandbox) {
		try {
			return new TrustedIssuers.Trusted(sandbox.getIssuer(), null, List.of(key.join().toRSAPublicKey()), List.of(sandbox.getAudience()));
		} catch (JOSEException e) {
			throw new IllegalStateException("The sandbox's token signing key has no public key", e);
		}
	}
}
