package org.spgateway.authentication;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.security.Key;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Set;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/** JWT decoders that verify signatures with public keys given directly (RSA or EC), rather than fetched from a JWKS URI. */
public final class KeyDecoders {

	private KeyDecoders() {}

	/**
	 * A decoder checking only the signature (one of {@code algorithms}, by one of {@code keys}); the caller sets the
	 * claims checks with {@link NimbusJwtDecoder#setJwtValidator}, so that they answer in the gateway's words. Keys
	 * given in configuration have no key id, so every key of the algorithm's family is tried, whatever {@code kid}
	 * the token names.
	 */
	public static NimbusJwtDecoder of(List<PublicKey> keys, Set<JWSAlgorithm> algorithms) {
		JWSKeySelector<SecurityContext> selector = (header, context) -> {
			JWSAlgorithm algorithm = header.getAlgorithm();
			if (!algorithms.contains(algorithm)) {
				return List.of();
			}
			boolean ec = JWSAlgorithm.Family.EC.contains(algorithm);
			return keys.stream().filter(k -> ec ? k instanceof ECPublicKey : k instanceof RSAPublicKey).map(k -> (Key) k).toList();
		};
		DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
		processor.setJWSKeySelector(selector);
		processor.setJWTClaimsSetVerifier((claims, context) -> {});
		return new NimbusJwtDecoder(processor);
	}
}
