package org.spgateway.outbox;

/**
 * Wakes the delivery loop of this instance when there may be work: a transaction that wrote outbox
 * messages has committed, or a delivery finished (the next message of its ordering key may be due).
 * Other instances' messages are found by the loop's short poll.
 */
public final class OutboxSignal {

	private boolean pending;

	public synchronized void wake() {
		pending = true;
		notifyAll();
	}

	/** Waits until woken or the timeout passes; a wake-up that came before the wait is not lost. */
	synchronized void await(long timeoutMillis) throws InterruptedException {
		long deadline = System.currentTimeMillis() + timeoutMillis;
		while (!pending) {
			long left = deadline - System.currentTimeMillis();
			if (left <= 0) {
				return;
			}
			wait(left);
		}
		pending = false;
	}
}
