package org.spgateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Header values sealed with AES-GCM, and the key rotation the key id makes possible. */
class SecretCipherTest {

	static final byte[] OLD = "old-key-old-key-old-key-old-key!".getBytes(StandardCharsets.US_ASCII);
	static final byte[] NEW = "new-key-new-key-new-key-new-key!".getBytes(StandardCharsets.US_ASCII);

	@Test
	void aValueComesBackAsItWentInAndIsNeverTheSameCiphertextTwice() {
		SecretCipher cipher = new SecretCipher(NEW, List.of());
		String a = cipher.encrypt("Bearer abc");
		String b = cipher.encrypt("Bearer abc");
		assertThat(a).isNotEqualTo(b).doesNotContain("abc");
		assertThat(SecretCipher.isSealed(a)).isTrue();
		assertThat(cipher.decrypt(a)).isEqualTo("Bearer abc");
	}

	@Test
	void afterRotationOldValuesAreStillReadAndNewOnesUseTheNewKey() {
		String sealedWithOld = new SecretCipher(OLD, List.of()).encrypt("token-1");
		SecretCipher rotated = new SecretCipher(NEW, List.of(OLD));
		assertThat(rotated.decrypt(sealedWithOld)).isEqualTo("token-1");
		String sealedWithNew = rotated.encrypt("token-2");
		assertThat(sealedWithNew).startsWith(SecretCipher.keyId(NEW) + ":");
		assertThatThrownBy(() -> new SecretCipher(OLD, List.of()).decrypt(sealedWithNew)).hasMessageContaining("gateway.secrets.previous-keys");
	}

	@Test
	void aChangedCiphertextIsRefused() {
		SecretCipher cipher = new SecretCipher(NEW, List.of());
		String sealed = cipher.encrypt("token");
		byte[] raw = Base64.getDecoder().decode(sealed.substring(9));
		raw[raw.length - 1] ^= 1;
		String tampered = sealed.substring(0, 9) + Base64.getEncoder().encodeToString(raw);
		assertThatThrownBy(() -> cipher.decrypt(tampered)).hasMessageContaining("could not be decrypted");
	}

	@Test
	void aKeyOfTheWrongSizeIsRefusedNamingTheSettingNotTheValue() {
		String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
		assertThatThrownBy(() -> SecretCipher.decodeKey(shortKey, "gateway.secrets.key")).hasMessageContaining("gateway.secrets.key")
				.hasMessageContaining("32 bytes").hasMessageNotContaining(shortKey);
		assertThatThrownBy(() -> SecretCipher.decodeKey("not base64!", "gateway.secrets.key")).hasMessageContaining("openssl rand -base64 32");
	}
}
