package org.spgateway.authentication;

import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** Public keys written in configuration: PEM ({@code -----BEGIN PUBLIC KEY-----}) or the bare base64 between those lines. */
public final class PublicKeys {

	private PublicKeys() {}

	public static PublicKey parse(String text, String setting) {
		String base64 = text.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
		byte[] der;
		try {
			der = Base64.getDecoder().decode(base64);
		} catch (IllegalArgumentException e) {
			throw new IllegalStateException(setting + " is not a PEM or base64 public key");
		}
		for (String algorithm : new String[] {"RSA", "EC"}) {
			try {
				return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
			} catch (Exception notThisOne) {
				// try the next algorithm
			}
		}
		throw new IllegalStateException(setting + " is neither an RSA nor an EC public key (X.509 SubjectPublicKeyInfo)");
	}
}
