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
	 * Sustained requests per second per client. The default stops a runaway client (a retry loop with no pause)
	 * and nothing else: the benchmark's read scenario, 32 threads as one client, reached 2,165 reads a second
	 * (docs/performance.md), and the benchmark and test suite must run under the defaults. Deployments set a
	 * limit that fits their partners' traffic.
	 */
	private int requestsPerSecond = 2500;

	/** Requests a client may send at once above the sustained rate (the bucket's size): a poller catching up. */
	private int burst = 5000;

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
