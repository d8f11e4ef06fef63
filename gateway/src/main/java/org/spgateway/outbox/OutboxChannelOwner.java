package org.spgateway.outbox;

/**
 * The producer behind a family of channels (subscription notifications for {@code Subscription/...},
 * later referrer feedback). The outbox tells it when delivery on one of its channels gives up, so that
 * it can record that where its users look (for subscriptions: Subscription.status = error).
 */
public interface OutboxChannelOwner {

	boolean owns(String channel);

	/**
	 * Called first in a transaction that is about to give up on the channel, before the outbox locks any
	 * of its rows: the owner takes its own locks here, in the order its other writers use (owner's record
	 * first, then the channel's messages), so that a give-up and an owner's update cannot deadlock.
	 */
	default void beforeGiveUp(String channel) {}

	/**
	 * Delivery on {@code channel} gave up. Runs inside the transaction that marks the message failed and
	 * suspends the channel, so the owner's record and the outbox's agree.
	 */
	void gaveUp(String channel, String reason);

	/** Whether the owner wants to hear of each delivery ({@link #delivered}); subscriptions do not, feedback does. */
	default boolean wantsReceipts() {
		return false;
	}

	/**
	 * A message of the channel was delivered (the receiver answered 2xx). Runs inside the transaction that
	 * records the delivery, so the owner's record and the outbox's agree.
	 */
	default void delivered(String channel, String subject) {}
}
