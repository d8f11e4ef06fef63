package org.spgateway.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.config.GatewayProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/** The key partners' header values are encrypted with, and where those values are kept. */
@Configuration(proxyBeanMethods = false)
public class SecretsConfig {

	private static final Logger log = LoggerFactory.getLogger(SecretsConfig.class);
	private static final String SANDBOX_KEY_FILE = "sandbox-secrets.key";
	private static final String EMBEDDED_KEY_FILE = "secrets.key";

	@Bean
	SecretCipher secretCipher(SecretsProperties properties, GatewayProperties gateway, Environment environment) {
		List<byte[]> previous = properties.getPreviousKeys().stream().filter(k -> !k.isBlank())
				.map(k -> SecretCipher.decodeKey(k, "gateway.secrets.previous-keys")).toList();
		if (properties.getKey() != null && !properties.getKey().isBlank()) {
			return new SecretCipher(SecretCipher.decodeKey(properties.getKey(), "gateway.secrets.key"), previous);
		}
		boolean embedded = environment.getProperty("spring.datasource.url", "").isBlank();
		if (!gateway.isSandbox() && embedded) {
			// The README's own start, one machine with its data in gateway.data-dir: the key is kept beside the data
			// (owner-only), which it protects no less than the data's own file permissions. A deployment on an
			// external database must bring its own key.
			return new SecretCipher(generatedKey(gateway.getDataDir().resolve(EMBEDDED_KEY_FILE), "no gateway.secrets.key; generated one in {}"
					+ " (owner-only) for partners' header values. Set gateway.secrets.key from your secret store for a real deployment"), previous);
		}
		if (!gateway.isSandbox()) {
			throw new IllegalStateException("gateway.secrets.key is not set. Partners' header values (Subscription.channel.header,"
					+ " Endpoint.header) are stored encrypted with it: make one with 'openssl rand -base64 32', keep it in your secret"
					+ " store, and pass it as gateway.secrets.key (environment GATEWAY_SECRETS_KEY). See docs/security.md");
		}
		return new SecretCipher(generatedKey(gateway.getDataDir().resolve(SANDBOX_KEY_FILE),
				"SANDBOX MODE: no gateway.secrets.key; generated one in {} for partners' header values"), previous);
	}

	/** A key generated once and kept beside the data, so a restart still reads what it stored. */
	private static byte[] generatedKey(Path file, String warning) {
		try {
			if (Files.exists(file)) {
				return SecretCipher.decodeKey(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
			}
			byte[] key = new byte[32];
			new SecureRandom().nextBytes(key);
			Files.createDirectories(file.getParent());
			Files.writeString(file, Base64.getEncoder().encodeToString(key), StandardCharsets.US_ASCII);
			try {
				Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
			} catch (UnsupportedOperationException notPosix) {
				// Windows: the data directory's own permissions apply.
			}
			log.warn(warning, file);
			return key;
		} catch (IOException e) {
			throw new IllegalStateException("Could not keep a generated secrets key in " + file + ": " + e.getMessage());
		}
	}

	@Bean
	HeaderSecretRecords headerSecretRecords(JdbcTemplate jdbc, SecretCipher cipher) {
		return new HeaderSecretRecords(jdbc, cipher);
	}
}
