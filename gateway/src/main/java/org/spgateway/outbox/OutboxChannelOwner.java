package org.spgateway.outbox;

/**
 * The producer behind a family of channels (subscription notifications for {@code Subscription/...},
 * later referrer feedback). The outbox tells it when delivery on one of its channels gives up, so that
 * it can record that where its users look (for subscriptions: Subscription.status = error).
 */
public interface OutboxChannelOwner {

	boolean owns(String channel);

	/**
	 * Delivery on {@code channel} gave up. Runs inside the transaction that marks the message failed and
	 * suspends the channel, so the owner's record and the outbox's agree.
	 */
	void gaveUp(String channel, String reason);
}
