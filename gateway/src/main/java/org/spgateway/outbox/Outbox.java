package org.spgateway.outbox;

import java.util.List;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The gateway's single outbound channel, as producers see it. Messages are written in the database
 * transaction of the change that causes them, so a change and its messages commit (or roll back)
 * together; delivery happens afterwards, at least once, in order per ordering key, with retries, on
 * whichever instance claims them (see {@link OutboxDispatcher}).
 */
public class Outbox {

	private final OutboxStore store;
	private final OutboxProperties settings;
	private final OutboxSignal signal;

	public Outbox(OutboxStore store, OutboxProperties settings, OutboxSignal signal) {
		this.store = store;
		this.settings = settings;
		this.signal = signal;
	}

	/** Writes messages inside the caller's transaction; this instance starts delivering them when it commits. */
	public void enqueue(List<OutboundMessage> messages) {
		if (messages.isEmpty()) {
			return;
		}
		requireTransaction();
		store.insert(messages, settings.getGiveUpAfter());
		wakeAfterCommit();
	}

	/**
	 * Re-drives a channel: lifts its suspension and delivers every undelivered message of it (failed and
	 * held ones included) in their original order, with a fresh give-up clock. Returns how many.
	 */
	public int resume(String channel) {
		requireTransaction();
		int count = store.resume(channel, settings.getGiveUpAfter());
		wakeAfterCommit();
		return count;
	}

	/** Drops every undelivered message of a channel (its owner no longer wants them). Returns how many. */
	public int cancel(String channel) {
		requireTransaction();
		return store.cancel(channel);
	}

	/**
	 * Sends a channel's undelivered messages to a new address with new headers: those addressed to
	 * {@code oldUrl} go to {@code newUrl}, those below it go below {@code newUrl}. Returns how many.
	 */
	public int retarget(String channel, String oldUrl, String newUrl, List<OutboundMessage.Header> headers) {
		requireTransaction();
		return store.retarget(channel, oldUrl, newUrl, headers);
	}

	public boolean isSuspended(String channel) {
		return store.isSuspended(channel);
	}

	public long undelivered(String channel) {
		return store.openCount(channel);
	}

	private static void requireTransaction() {
		if (!TransactionSynchronizationManager.isActualTransactionActive()) {
			throw new IllegalStateException("Outbox messages must be written in the transaction of the change that causes them");
		}
	}

	private void wakeAfterCommit() {
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
			@Override
			public void afterCommit() {
				signal.wake();
			}
		});
	}
}
