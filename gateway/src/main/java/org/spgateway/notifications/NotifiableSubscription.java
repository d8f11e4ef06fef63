package org.spgateway.notifications;

import java.time.Instant;
import java.util.List;
import org.hl7.fhir.r4.model.Subscription.SubscriptionStatus;
import org.spgateway.outbox.OutboundMessage;

/**
 * A stored Subscription as the matcher needs it: criteria compiled, channel read.
 *
 * @param payload the MIME type of the full-resource payload, or null for notifications without a body (id-only)
 * @param end when the subscription stops notifying, or null
 */
public record NotifiableSubscription(String id, int version, SubscriptionStatus status, SubscriptionCriteria criteria, String endpoint,
		List<OutboundMessage.Header> headers, String payload, Instant end) {

	public static final String CHANNEL_PREFIX = "Subscription/";

	/** The outbox channel of this subscription's notifications. */
	public String channel() {
		return channel(id);
	}

	public static String channel(String id) {
		return CHANNEL_PREFIX + id;
	}

	/**
	 * Whether changes are matched against it now. A subscription in error still collects notifications
	 * (they are held until it is re-driven, so nothing is lost); one that is off, or past its end, does not.
	 */
	public boolean live(Instant now) {
		boolean on = status == SubscriptionStatus.ACTIVE || status == SubscriptionStatus.REQUESTED || status == SubscriptionStatus.ERROR;
		return on && (end == null || end.isAfter(now));
	}
}
