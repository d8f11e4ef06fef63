package org.spgateway.outbox;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * The {@code outbox} component of /actuator/health. Undelivered messages do not make the gateway
 * unhealthy (a receiver being down is not the gateway's fault, and restarting would not help); the
 * counts are there for operators and alerts. It is DOWN only when this instance should be delivering
 * and its delivery loop has died, or the outbox cannot be read.
 */
public class OutboxHealthIndicator implements HealthIndicator {

	private final OutboxMetrics metrics;
	private final OutboxDispatcher dispatcher;
	private final OutboxProperties settings;

	public OutboxHealthIndicator(OutboxMetrics metrics, OutboxDispatcher dispatcher, OutboxProperties settings) {
		this.metrics = metrics;
		this.dispatcher = dispatcher;
		this.settings = settings;
	}

	@Override
	public Health health() {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("instance", dispatcher.instance());
		details.put("deliveryEnabled", settings.isEnabled());
		details.put("workers", settings.getWorkers());
		details.put("inFlight", dispatcher.inFlight());
		OutboxStore.Stats stats;
		try {
			stats = metrics.stats();
		} catch (RuntimeException e) {
			return Health.down().withDetails(details).withDetail("error", "The outbox cannot be read: " + e.getMessage()).build();
		}
		details.put("pending", stats.pending());
		details.put("held", stats.held());
		details.put("failed", stats.failed());
		details.put("oldestPendingAgeSeconds", Math.round(stats.oldestPendingAgeSeconds()));
		boolean dead = settings.isEnabled() && dispatcher.isRunning() && !dispatcher.delivering();
		return (dead ? Health.down().withDetail("error", "The delivery loop of this instance has stopped") : Health.up()).withDetails(details).build();
	}
}
