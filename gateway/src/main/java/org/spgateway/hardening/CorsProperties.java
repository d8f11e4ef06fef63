package org.spgateway.hardening;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code gateway.cors.*}: which web applications, served from other origins, may call the gateway from a
 * browser. Off (no origin allowed) unless origins are listed: partners' systems call server to server, and
 * CORS only widens what a browser allows.
 */
@ConfigurationProperties(prefix = "gateway.cors")
public class CorsProperties {

	/** Origins allowed, e.g. https://app.example.nhs.uk; patterns such as https://*.example.nhs.uk are accepted. */
	private List<String> allowedOrigins = new ArrayList<>();
	private List<String> allowedMethods = new ArrayList<>(List.of("GET", "HEAD", "POST", "PUT", "PATCH"));
	private List<String> allowedHeaders = new ArrayList<>(List.of("Authorization", "Content-Type", "Accept", "Prefer", "If-Match",
			"If-None-Match", "If-None-Exist", "If-Modified-Since", "X-Request-Id", "X-Correlation-Id"));
	/** Response headers a browser application may read. */
	private List<String> exposedHeaders = new ArrayList<>(List.of("Location", "Content-Location", "ETag", "Last-Modified", "Retry-After",
			"X-Request-Id", "X-Correlation-Id"));
	/** How long a browser may reuse a preflight answer. */
	private Duration maxAge = Duration.ofMinutes(30);

	public boolean isEnabled() {
		return allowedOrigins.stream().anyMatch(o -> !o.isBlank());
	}

	public List<String> getAllowedOrigins() {
		return allowedOrigins;
	}

	public void setAllowedOrigins(List<String> allowedOrigins) {
		this.allowedOrigins = allowedOrigins;
	}

	public List<String> getAllowedMethods() {
		return allowedMethods;
	}

	public void setAllowedMethods(List<String> allowedMethods) {
		this.allowedMethods = allowedMethods;
	}

	public List<String> getAllowedHeaders() {
		return allowedHeaders;
	}

	public void setAllowedHeaders(List<String> allowedHeaders) {
		this.allowedHeaders = allowedHeaders;
	}

	public List<String> getExposedHeaders() {
		return exposedHeaders;
	}

	public void setExposedHeaders(List<String> exposedHeaders) {
		this.exposedHeaders = exposedHeaders;
	}

	public Duration getMaxAge() {
		return maxAge;
	}

	public void setMaxAge(Duration maxAge) {
		this.maxAge = maxAge;
	}
}
