package org.spgateway.intake;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code gateway.intake.*}: referral intake settings. */
@ConfigurationProperties(prefix = "gateway.intake")
public class IntakeProperties {

	/** Time a provider has to accept or reject a referral when its service states no response time (sp-response-time). */
	private Duration defaultResponseTime = Duration.ofDays(5);

	/** Refuse referrals that give no reason (reasonCode or reasonReference). */
	private boolean requireReason = true;

	/** Refuse referrals that carry no Consent resource recording the person's agreement to share with the provider. */
	private boolean requireConsent = false;

	/**
	 * Refuse BaRS messages without the NHSD-Target-Identifier, NHSD-End-User-Organisation and
	 * NHSD-Requesting-Software headers. Off by default: a sender calling the gateway directly (not
	 * through the national proxy) often has none. When present they are always decoded and checked.
	 */
	private boolean requireBarsHeaders = false;

	/** Most eligible alternatives listed when a referral is refused. */
	private int maxAlternatives = 5;

	/**
	 * How long the answer to each BaRS message is kept to answer a resend with the same Bundle id again, and
	 * each processed X-Request-Id to refuse its reuse; zero keeps them forever. A later resend is still
	 * recognised by its referral (sender and ServiceRequest fullUrl).
	 */
	private Duration barsMessageRetention = Duration.ofDays(90);

	public Duration getBarsMessageRetention() {
		return barsMessageRetention;
	}

	public void setBarsMessageRetention(Duration barsMessageRetention) {
		this.barsMessageRetention = barsMessageRetention;
	}

	public Duration getDefaultResponseTime() {
		return defaultResponseTime;
	}

	public void setDefaultResponseTime(Duration defaultResponseTime) {
		this.defaultResponseTime = defaultResponseTime;
	}

	public boolean isRequireReason() {
		return requireReason;
	}

	public void setRequireReason(boolean requireReason) {
		this.requireReason = requireReason;
	}

	public boolean isRequireConsent() {
		return requireConsent;
	}

	public void setRequireConsent(boolean requireConsent) {
		this.requireConsent = requireConsent;
	}

	public boolean isRequireBarsHeaders() {
		return requireBarsHeaders;
	}

	public void setRequireBarsHeaders(boolean requireBarsHeaders) {
		this.requireBarsHeaders = requireBarsHeaders;
	}

	public int getMaxAlternatives() {
		return maxAlternatives;
	}

	public void setMaxAlternatives(int maxAlternatives) {
		this.maxAlternatives = maxAlternatives;
	}
}
