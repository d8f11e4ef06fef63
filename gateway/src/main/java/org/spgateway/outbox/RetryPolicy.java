package org.spgateway.outbox;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off with jitter: after the n-th failed attempt the delay is drawn between half and
 * all of {@code initial * 2^(n-1)} (capped at {@code max}), so that many messages failing together do
 * not come back together. A receiver's Retry-After is honoured up to the cap.
 */
public final class RetryPolicy {

	private final Duration initial;
	private final Duration max;

	public RetryPolicy(Duration initial, Duration max) {
		this.initial = initial;
		this.max = max;
	}

	public Duration delay(int failedAttempts, Duration retryAfter) {
		long cap = max.toMillis();
		int doublings = Math.min(Math.max(failedAttempts - 1, 0), 30);
		long base = Math.min(cap, initial.toMillis() << doublings);
		if (base <= 0) {
			base = cap;
		}
		long half = base / 2;
		long jittered = half + ThreadLocalRandom.current().nextLong(base - half + 1);
		if (retryAfter != null) {
			jittered = Math.max(jittered, Math.min(retryAfter.toMillis(), cap));
		}
		return Duration.ofMillis(jittered);
	}
}
