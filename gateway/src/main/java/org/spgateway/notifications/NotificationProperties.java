package org.spgateway.notifications;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Subscription settings ({@code gateway.notifications.*}); the delivery settings shared with every
 * outbox producer are {@code gateway.notifications.delivery.*} (outbox.OutboxProperties).
 * docs/notifications.md describes each.
 */
@ConfigurationProperties(prefix = "gateway.notifications")
public class NotificationProperties {

	/**
	 * Only https:// endpoints may be registered. Notifications carry patient data; switch this off only
	 * for local testing against http://localhost receivers.
	 */
	private boolean requireHttps = true;

	/**
	 * How often each instance checks the database for Subscriptions created or changed on other
	 * instances. A change takes effect at once on the instance that stored it.
	 */
	private Duration subscriptionRefresh = Duration.ofSeconds(5);

	public boolean isRequireHttps() {
		return requireHttps;
	}

	public void setRequireHttps(boolean requireHttps) {
		this.requireHttps = requireHttps;
	}

	public Duration getSubscriptionRefresh() {
		return subscriptionRefresh;
	}

	public void setSubscriptionRefresh(Duration subscriptionRefresh) {
		this.subscriptionRefresh = subscriptionRefresh;
	}
}
