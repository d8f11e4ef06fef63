package org.spgateway.outbox;

/**
 * Told of every delivery attempt once its outcome is known (the audit trail records each): a failure once it is recorded
 * (whether it was the last attempt is known then), a delivery answered 2xx as soon as it is answered, while the loop
 * records it with the others that finished meanwhile. Called on the delivery thread; an observer must not block or throw:
 * a failure of its own is logged and ignored.
 */
public interface DeliveryObserver {

	/**
	 * @param requestId the X-Request-Id the attempt was sent with
	 * @param gaveUp whether this failed attempt was the last: the channel is now suspended
	 */
	void attempted(OutboxStore.Claimed message, HttpDelivery.Result result, String requestId, boolean gaveUp);
}
