package org.spgateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

	final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(5), Duration.ofMinutes(10));

	@RepeatedTest(20)
	void delaysDoubleWithJitterBetweenHalfAndAll() {
		assertThat(policy.delay(1, null)).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(5));
		assertThat(policy.delay(2, null)).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(10));
		assertThat(policy.delay(4, null)).isBetween(Duration.ofSeconds(20), Duration.ofSeconds(40));
	}

	@RepeatedTest(20)
	void delaysStopGrowingAtTheCap() {
		assertThat(policy.delay(30, null)).isBetween(Duration.ofMinutes(5), Duration.ofMinutes(10));
		assertThat(policy.delay(1000, null)).isBetween(Duration.ofMinutes(5), Duration.ofMinutes(10));
	}

	@Test
	void retryAfterIsHonouredUpToTheCap() {
		assertThat(policy.delay(1, Duration.ofSeconds(90))).isEqualTo(Duration.ofSeconds(90));
		assertThat(policy.delay(1, Duration.ofHours(3))).isEqualTo(Duration.ofMinutes(10));
		assertThat(policy.delay(3, Duration.ZERO)).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(20));
	}
}
