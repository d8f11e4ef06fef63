package org.spgateway.outbox;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Prometheus metrics of the outbox: {@code gateway_outbox_messages{state=pending|held|failed}} and
 * {@code gateway_outbox_oldest_pending_age_seconds} (shared by every instance on the database), and
 * this instance's {@code gateway_outbox_attempts_seconds{outcome=delivered|retry|failed}}.
 */
public class OutboxMetrics {

	/** Database counts are read at most this often, however often metrics and health are scraped. */
	private static final long STATS_TTL_MILLIS = 2000;

	private final OutboxStore store;
	private final MeterRegistry registry;
	private final Map<String, Timer> attempts = new ConcurrentHashMap<>();
	private volatile OutboxStore.Stats cached;
	private volatile long cachedAt;

	public OutboxMetrics(OutboxStore store, MeterRegistry registry) {
		this.store = store;
		this.registry = registry;
		gauge("pending", OutboxStore.Stats::pending);
		gauge("held", OutboxStore.Stats::held);
		gauge("failed", OutboxStore.Stats::failed);
		Gauge.builder("gateway.outbox.oldest.pending.age", this, m -> m.statsOrNaN(OutboxStore.Stats::oldestPendingAgeSeconds))
				.description("Age of the oldest message waiting for delivery (0 when none)")
				.baseUnit("seconds")
				.register(registry);
		for (String outcome : new String[] {"delivered", "retry", "failed"}) {
			timer(outcome);
		}
	}

	/** Recent counts from the database (cached for two seconds). */
	public OutboxStore.Stats stats() {
		long now = System.currentTimeMillis();
		OutboxStore.Stats s = cached;
		if (s == null || now - cachedAt > STATS_TTL_MILLIS) {
			s = store.stats();
			cached = s;
			cachedAt = now;
		}
		return s;
	}

	void attempt(String outcome, long nanos) {
		timer(outcome).record(nanos, TimeUnit.NANOSECONDS);
	}

	private Timer timer(String outcome) {
		return attempts.computeIfAbsent(outcome, o -> Timer.builder("gateway.outbox.attempts")
				.description("Delivery attempts made by this instance, by outcome: delivered, retry (failed, will be retried), failed (gave up)")
				.tag("outcome", o)
				.register(registry));
	}

	private void gauge(String state, ToDoubleFunction<OutboxStore.Stats> value) {
		Gauge.builder("gateway.outbox.messages", this, m -> m.statsOrNaN(value))
				.description("Outbox messages by state: pending (to deliver), held (channel suspended), failed (given up)")
				.tag("state", state)
				.register(registry);
	}

	private double statsOrNaN(ToDoubleFunction<OutboxStore.Stats> value) {
		try {
			return value.applyAsDouble(stats());
		} catch (RuntimeException e) {
			return Double.NaN;
		}
	}
}
