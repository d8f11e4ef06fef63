package org.spgateway.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.config.GatewayProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** The key partners' header values are encrypted with, and where those values are kept. */
@Configuration(proxyBeanMethods = false)
public class SecretsConfig {

	private static final Logger log = LoggerFactory.getLogger(SecretsConfig.class);
	private static final String SANDBOX_KEY_FILE = "sandbox-secrets.key";

	@Bean
	SecretCipher secretCipher(SecretsProperties properties, GatewayProperties gateway) {
		List<byte[]> previous = properties.getPreviousKeys().stream().filter(k -> !k.isBlank())
				.map(k -> SecretCipher.decodeKey(k, "gateway.secrets.previous-keys")).toList();
		if (properties.getKey() != null && !properties.getKey().isBlank()) {
			return new SecretCipher(SecretCipher.decodeKey(properties.getKey(), "gateway.secrets.key"), previous);
		}
		if (!gateway.isSandbox()) {
			throw new IllegalStateException("gateway.secrets.key is not set. Partners' header values (Subscription.channel.header,"
					+ " Endpoint.header) are stored encrypted with it: make one with 'openssl rand -base64 32', keep it in your secret"
					+ " store, and pass it as gateway.secrets.key (environment GATEWAY_SECRETS_KEY). See docs/security.md");
		}
		return new SecretCipher(sandboxKey(gateway.getDataDir()), previous);
	}

	/** A sandbox generates its key once and keeps it beside its data, so a restart still reads what it stored. */
	private static byte[] sandboxKey(Path dataDir) {
		Path file = dataDir.resolve(SANDBOX_KEY_FILE);
		try {
			if (Files.exists(file)) {
				return SecretCipher.decodeKey(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
			}
			byte[] key = new byte[32];
			new SecureRandom().nextBytes(key);
			Files.createDirectories(dataDir);
			Files.writeString(file, Base64.getEncoder().encodeToString(key), StandardCharsets.US_ASCII);
			log.warn("SANDBOX MODE: no gateway.secrets.key; generated one in {} for partners' header values", file);
			return key;
		} catch (IOException e) {
			throw new IllegalStateException("Sandbox mode could not keep its generated secrets key in " + file + ": " + e.getMessage());
		}
	}

	@Bean
	HeaderSecretRecords headerSecretRecords(JdbcTemplate jdbc, SecretCipher cipher) {
		return new HeaderSecretRecords(jdbc, cipher);
	}
}
