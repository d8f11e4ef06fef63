package org.spgateway.hardening;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code gateway.limits.rate.*}: how many requests each client may send (docs/configuration.md). A client is
 * the authenticated client id when there is one, else the caller's network address ({@link ClientIdentity}).
 */
@ConfigurationProperties(prefix = "gateway.limits.rate")
public class RateLimitProperties {

	/** Off switch: with false no request is ever refused for its rate. */
	private boolean enabled = true;

	/**
	 * Sustained requests per second per client: far above what a GP or provider system needs, and above what
	 * the benchmark (eight clients, about 300 per second between them) sends from one address, while one
	 * runaway client still cannot take every Tomcat thread and database connection.
	 */
	private int requestsPerSecond = 400;

	/** Requests a client may send at once above the sustained rate (the bucket's size): a poller catching up. */
	private int burst = 2000;

	/** Per client id: its own rate and burst, e.g. a national hub that relays for many practices. */
	private Map<String, ClientLimit> clients = new LinkedHashMap<>();

	public boolean isEnabled() {
		return enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getRequestsPerSecond() {
		return requestsPerSecond;
	}

	public void setRequestsPerSecond(int requestsPerSecond) {
		this.requestsPerSecond = requestsPerSecond;
	}

	public int getBurst() {
		return burst;
	}

	public void setBurst(int burst) {
		this.burst = burst;
	}

	public Map<String, ClientLimit> getClients() {
		return clients;
	}

	public void setClients(Map<String, ClientLimit> clients) {
		this.clients = clients;
	}

	/** One client's own limit; a value left unset takes the default above. */
	public static class ClientLimit {
		private Integer requestsPerSecond;
		private Integer burst;

		public Integer getRequestsPerSecond() {
			return requestsPerSecond;
		}

		public void setRequestsPerSecond(Integer requestsPerSecond) {
			this.requestsPerSecond = requestsPerSecond;
		}

		public Integer getBurst() {
			return burst;
		}

		public void setBurst(Integer burst) {
			this.burst = burst;
		}
	}
}
