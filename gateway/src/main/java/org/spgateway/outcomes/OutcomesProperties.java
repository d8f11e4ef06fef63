package org.spgateway.outcomes;

import java.time.Duration;
import java.time.Period;
import java.time.ZoneId;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code gateway.outcomes.*}: outcome capture settings (docs/outcomes.md). */
@ConfigurationProperties(prefix = "gateway.outcomes")
public class OutcomesProperties {

	/**
	 * Time from a completed response to the next review, when neither the referral's service
	 * (HealthcareService) nor the instrument (Questionnaire) sets one with sp-review-interval.
	 */
	private Period defaultReviewInterval = Period.ofMonths(6);

	/** The zone in which a response's authored time becomes a date, and in which "today" is judged. */
	private ZoneId timeZone = ZoneId.of("Europe/London");

	/**
	 * How long a resolved Questionnaire (and a referral's service settings) is trusted before it is read
	 * again. Writes through this gateway take effect at once; this bounds how long one made through
	 * another instance on the same database can go unseen.
	 */
	private Duration cacheTimeToLive = Duration.ofSeconds(60);

	/** How far in the future a response's authored time may be, for clock differences between systems. */
	private Duration authoredClockSkew = Duration.ofMinutes(5);

	/** Most responses $outcomes reads for one referral. */
	private int maxResponsesPerReferral = 1000;

	/** Reviews $reviews-due returns when the caller gives no _count, and the most it returns at once. */
	private int reviewsPageSize = 50;
	private int maxReviewsPageSize = 500;

	public Period getDefaultReviewInterval() {
		return defaultReviewInterval;
	}

	public void setDefaultReviewInterval(Period defaultReviewInterval) {
		this.defaultReviewInterval = defaultReviewInterval;
	}

	public ZoneId getTimeZone() {
		return timeZone;
	}

	public void setTimeZone(ZoneId timeZone) {
		this.timeZone = timeZone;
	}

	public Duration getCacheTimeToLive() {
		return cacheTimeToLive;
	}

	public void setCacheTimeToLive(Duration cacheTimeToLive) {
		this.cacheTimeToLive = cacheTimeToLive;
	}

	public Duration getAuthoredClockSkew() {
		return authoredClockSkew;
	}

	public void setAuthoredClockSkew(Duration authoredClockSkew) {
		this.authoredClockSkew = authoredClockSkew;
	}

	public int getMaxResponsesPerReferral() {
		return maxResponsesPerReferral;
	}

	public void setMaxResponsesPerReferral(int maxResponsesPerReferral) {
		this.maxResponsesPerReferral = maxResponsesPerReferral;
	}

	public int getReviewsPageSize() {
		return reviewsPageSize;
	}

	public void setReviewsPageSize(int reviewsPageSize) {
		this.reviewsPageSize = reviewsPageSize;
	}

	public int getMaxReviewsPageSize() {
		return maxReviewsPageSize;
	}

	public void setMaxReviewsPageSize(int maxReviewsPageSize) {
		this.maxReviewsPageSize = maxReviewsPageSize;
	}
}
