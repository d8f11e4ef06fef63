package org.spgateway.outbox;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How the outbox delivers ({@code gateway.notifications.delivery.*}; docs/notifications.md lists each
 * setting). Subscription notifications are the first producer; referrer feedback will use the same.
 */
@ConfigurationProperties(prefix = "gateway.notifications.delivery")
public class OutboxProperties {

	/** Whether this instance runs delivery workers. Messages are written either way; any instance with workers delivers them. */
	private boolean enabled = true;

	/**
	 * Delivery threads of this instance, and the most messages it holds at once. A thread waits for its receiver's answer
	 * and then for the loop to record it, so the count sets how many deliveries overlap: with 4 a benchmark receiver on the
	 * same 2-core machine fell 13.6 s behind (p99) while writes kept the cores busy; with 16 it stayed within 0.4 s.
	 */
	private int workers = 16;

	/** How often an idle instance looks for messages written by other instances or due for a retry. */
	private Duration pollInterval = Duration.ofSeconds(1);

	/** TCP and TLS connect timeout of one attempt. */
	private Duration connectTimeout = Duration.ofSeconds(5);

	/** Time allowed for the receiver's answer, per attempt. */
	private Duration requestTimeout = Duration.ofSeconds(20);

	/** Delay before the first retry; it doubles with each failed attempt, with random jitter. */
	private Duration initialBackoff = Duration.ofSeconds(5);

	/** Longest delay between attempts. */
	private Duration maxBackoff = Duration.ofMinutes(10);

	/** A message still undelivered this long after it was written fails, and its channel is suspended until re-driven. */
	private Duration giveUpAfter = Duration.ofHours(24);

	/** How long delivered and cancelled messages are kept (for support) before they are deleted. */
	private Duration retention = Duration.ofDays(7);

	/** How long a stopping instance lets in-flight deliveries finish before it hands them back for retry. */
	private Duration shutdownGrace = Duration.ofSeconds(10);

	/**
	 * How long a claim holds a message: longer than any attempt can take, so that a live instance never
	 * loses a message it is still sending, and short enough that a crashed instance's messages come back soon.
	 */
	public Duration lease() {
		return connectTimeout.plus(requestTimeout).plusSeconds(30);
	}

	public boolean isEnabled() {
		return enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getWorkers() {
		return workers;
	}

	public void setWorkers(int workers) {
		this.workers = workers;
	}

	public Duration getPollInterval() {
		return pollInterval;
	}

	public void setPollInterval(Duration pollInterval) {
		this.pollInterval = pollInterval;
	}

	public Duration getConnectTimeout() {
		return connectTimeout;
	}

	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public Duration getRequestTimeout() {
		return requestTimeout;
	}

	public void setRequestTimeout(Duration requestTimeout) {
		this.requestTimeout = requestTimeout;
	}

	public Duration getInitialBackoff() {
		return initialBackoff;
	}

	public void setInitialBackoff(Duration initialBackoff) {
		this.initialBackoff = initialBackoff;
	}

	public Duration getMaxBackoff() {
		return maxBackoff;
	}

	public void setMaxBackoff(Duration maxBackoff) {
		this.maxBackoff = maxBackoff;
	}

	public Duration getGiveUpAfter() {
		return giveUpAfter;
	}

	public void setGiveUpAfter(Duration giveUpAfter) {
		this.giveUpAfter = giveUpAfter;
	}

	public Duration getRetention() {
		return retention;
	}

	public void setRetention(Duration retention) {
		this.retention = retention;
	}

	public Duration getShutdownGrace() {
		return shutdownGrace;
	}

	public void setShutdownGrace(Duration shutdownGrace) {
		this.shutdownGrace = shutdownGrace;
	}
}
