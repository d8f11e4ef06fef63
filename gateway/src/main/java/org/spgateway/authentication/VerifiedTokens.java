package org.spgateway.authentication;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Access tokens already verified (signature, issuer, audience, expiry, not-before), so that a client's next requests with
 * the same token skip the JWT parse and the RSA or EC signature check: a client sends one token for up to an hour, and
 * verifying it was the largest single cost of authentication on a read (docs/performance.md). Keyed by the SHA-256 of the
 * token's text (the cache holds no token); bounded; an entry expires at the token's {@code exp}, never later (no clock
 * skew is granted from here: past {@code exp} the token is verified again, with the skew, like a new one). Only tokens that
 * passed are kept, so a refusal is always decided afresh.
 */
final class VerifiedTokens {

	private final Clock clock;
	private final Cache<ByteBuffer, JwtAuthenticationToken> cache;

	VerifiedTokens(long maximumSize, Clock clock) {
		this.clock = clock;
		this.cache = Caffeine.newBuilder().maximumSize(maximumSize).expireAfter(new Expiry<ByteBuffer, JwtAuthenticationToken>() {
			@Override
			public long expireAfterCreate(ByteBuffer key, JwtAuthenticationToken value, long currentTime) {
				return Math.max(0, Duration.between(clock.instant(), value.getToken().getExpiresAt()).toNanos());
			}

			@Override
			public long expireAfterUpdate(ByteBuffer key, JwtAuthenticationToken value, long currentTime, long currentDuration) {
				return expireAfterCreate(key, value, currentTime);
			}

			@Override
			public long expireAfterRead(ByteBuffer key, JwtAuthenticationToken value, long currentTime, long currentDuration) {
				return currentDuration;
			}
		}).build();
	}

	/** The verified token's authentication, or null when it is not known or has expired. */
	JwtAuthenticationToken find(String token) {
		JwtAuthenticationToken found = cache.getIfPresent(key(token));
		// Caffeine's clock and the token's are not the same: the token's exp is the rule.
		return found != null && clock.instant().isBefore(found.getToken().getExpiresAt()) ? found : null;
	}

	void remember(String token, JwtAuthenticationToken verified) {
		Instant expires = verified.getToken().getExpiresAt();
		if (expires != null && clock.instant().isBefore(expires)) {
			cache.put(key(token), verified);
		}
	}

	long size() {
		cache.cleanUp();
		return cache.estimatedSize();
	}

	private static ByteBuffer key(String token) {
		try {
			return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("Every Java runtime has SHA-256", e);
		}
	}
}
