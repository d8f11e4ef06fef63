package org.spgateway.security;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code gateway.secrets.*}: the key partners' header values (Subscription.channel.header,
 * Endpoint.header) are encrypted with in the database and the outbox. docs/security.md says how to
 * make one and how to rotate it.
 */
@ConfigurationProperties(prefix = "gateway.secrets")
public class SecretsProperties {

	/**
	 * A 256-bit AES key, base64 ({@code openssl rand -base64 32}). Required outside sandbox mode; a
	 * sandbox without one generates a key and keeps it in {@code <data-dir>/sandbox-secrets.key}.
	 */
	private String key;

	/** Keys used before {@link #key}: still read, never written with. Drop one once nothing uses it. */
	private List<String> previousKeys = new ArrayList<>();

	public String getKey() {
		return key;
	}

	public void setKey(String key) {
		this.key = key;
	}

	public List<String> getPreviousKeys() {
		return previousKeys;
	}

	public void setPreviousKeys(List<String> previousKeys) {
		this.previousKeys = previousKeys;
	}
}
