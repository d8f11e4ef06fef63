package org.spgateway.authentication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.TestTokens;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/** A verified token is remembered until its exp and never after; a refused one is never remembered. */
class VerifiedTokensTest {

	/** A clock the test moves. */
	private static final class TestClock extends Clock {
		Instant now = Instant.now();

		@Override
		public ZoneOffset getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return now;
		}
	}

	private final TestClock clock = new TestClock();

	private TrustedIssuers issuers(long cacheSize) {
		TrustedIssuers.Trusted trusted = new TrustedIssuers.Trusted(TestTokens.ISSUER, null,
				List.of(PublicKeys.parse(TestTokens.publicKey(), "test key")), List.of(TestTokens.AUDIENCE));
		// No clock skew: the test is about the token's own exp.
		return new TrustedIssuers(List.of(trusted), Duration.ZERO, clock, cacheSize);
	}

	private static Authentication authenticate(TrustedIssuers issuers, String token) {
		return issuers.resolve(null).authenticate(new BearerTokenAuthenticationToken(token));
	}

	@Test
	void aClientsSecondRequestWithTheSameTokenIsNotVerifiedAgain() {
		TrustedIssuers issuers = issuers(100);
		String token = TestTokens.mint(c -> c.expirationTime(Date.from(clock.now.plusSeconds(120))));
		JwtAuthenticationToken first = (JwtAuthenticationToken) authenticate(issuers, token);
		JwtAuthenticationToken second = (JwtAuthenticationToken) authenticate(issuers, token);
		assertThat(issuers.rememberedTokens()).isEqualTo(1);
		// The very token object verified the first time: nothing was parsed or checked again.
		assertThat(second.getToken()).isSameAs(first.getToken());
		assertThat(second).isNotSameAs(first);
	}

	@Test
	void aRememberedTokenIsRefusedOnceItsExpiryHasPassed() {
		TrustedIssuers issuers = issuers(100);
		// A JWT's exp is in whole seconds.
		Instant expires = clock.now.plusSeconds(120).truncatedTo(ChronoUnit.SECONDS);
		String token = TestTokens.mint(c -> c.expirationTime(Date.from(expires)));
		JwtAuthenticationToken first = (JwtAuthenticationToken) authenticate(issuers, token);
		clock.now = expires.minusMillis(1);
		assertThat(((JwtAuthenticationToken) authenticate(issuers, token)).getToken()).isSameAs(first.getToken());
		clock.now = expires.plusMillis(1);
		assertThatThrownBy(() -> authenticate(issuers, token)).isInstanceOf(AuthenticationException.class).hasMessageContaining("expired");
	}

	@Test
	void aRefusedTokenIsNeverRemembered() {
		TrustedIssuers issuers = issuers(100);
		String forged = TestTokens.signedByAnotherKey(c -> { });
		assertThatThrownBy(() -> authenticate(issuers, forged)).isInstanceOf(AuthenticationException.class);
		assertThatThrownBy(() -> authenticate(issuers, forged)).isInstanceOf(AuthenticationException.class);
		assertThat(issuers.rememberedTokens()).isZero();
	}

	@Test
	void theCacheIsBoundedAndCanBeSwitchedOff() {
		TrustedIssuers bounded = issuers(2);
		for (int i = 0; i < 10; i++) {
			authenticate(bounded, TestTokens.forClient("client-" + i));
		}
		assertThat(bounded.rememberedTokens()).isLessThanOrEqualTo(2);

		TrustedIssuers off = issuers(0);
		String token = TestTokens.forClient("client-x");
		JwtAuthenticationToken first = (JwtAuthenticationToken) authenticate(off, token);
		assertThat(((JwtAuthenticationToken) authenticate(off, token)).getToken()).isNotSameAs(first.getToken());
		assertThat(off.rememberedTokens()).isZero();
	}
}
