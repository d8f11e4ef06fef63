package org.spgateway.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts short secrets (partners' header values) with AES-256-GCM. Each value gets a fresh 96-bit IV
 * and is written as {@code keyId:base64(iv || ciphertext || tag)}; the key id (the first 8 hex digits
 * of the key's SHA-256) says which key decrypts it, so a new key can be introduced while values
 * written with the old one are still read (rotation, docs/security.md).
 */
public class SecretCipher {

	private static final int IV_BYTES = 12;
	private static final int TAG_BITS = 128;

	private final SecureRandom random = new SecureRandom();
	private final String currentId;
	private final Map<String, SecretKeySpec> keys = new LinkedHashMap<>();

	/** @param current the key new values are written with; {@code previous} are only read with */
	public SecretCipher(byte[] current, List<byte[]> previous) {
		this.currentId = add(current);
		previous.forEach(this::add);
	}

	/** A base64 key as configured, checked for length; the message names the setting, never the value. */
	public static byte[] decodeKey(String base64, String setting) {
		byte[] key;
		try {
			key = Base64.getDecoder().decode(base64.trim());
		} catch (IllegalArgumentException e) {
			throw new IllegalStateException(setting + " is not valid base64; make a key with: openssl rand -base64 32");
		}
		if (key.length != 32) {
			throw new IllegalStateException(setting + " must be 32 bytes (256 bits) once decoded, not " + key.length
					+ "; make a key with: openssl rand -base64 32");
		}
		return key;
	}

	private String add(byte[] key) {
		String id = keyId(key);
		keys.putIfAbsent(id, new SecretKeySpec(key, "AES"));
		return id;
	}

	static String keyId(byte[] key) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key), 0, 4);
		} catch (GeneralSecurityException e) {
			throw new IllegalStateException("SHA-256 is not available", e);
		}
	}

	public String encrypt(String plain) {
		byte[] iv = new byte[IV_BYTES];
		random.nextBytes(iv);
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, iv));
			byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
			byte[] all = ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array();
			return currentId + ":" + Base64.getEncoder().encodeToString(all);
		} catch (GeneralSecurityException e) {
			throw new IllegalStateException("Could not encrypt a secret", e);
		}
	}

	/** Whether a stored text is one of this class's ciphertexts (as opposed to a value stored before encryption). */
	public static boolean isSealed(String stored) {
		return stored != null && stored.matches("[0-9a-f]{8}:[A-Za-z0-9+/=]+");
	}

	public String decrypt(String stored) {
		int colon = stored.indexOf(':');
		SecretKeySpec key = colon == 8 ? keys.get(stored.substring(0, colon)) : null;
		if (key == null) {
			throw new IllegalStateException("A secret was encrypted with a key this gateway does not have (key id "
					+ (colon == 8 ? stored.substring(0, colon) : "unknown") + "); add it to gateway.secrets.previous-keys");
		}
		byte[] all = Base64.getDecoder().decode(stored.substring(colon + 1));
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, IV_BYTES));
			return new String(cipher.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
		} catch (GeneralSecurityException e) {
			throw new IllegalStateException("A secret could not be decrypted: it was changed, or encrypted with another key of the same id",
					e);
		}
	}
}
