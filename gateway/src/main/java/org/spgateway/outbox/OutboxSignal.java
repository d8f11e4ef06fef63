package org.spgateway.outbox;

/**
 * Wakes the delivery loop of this instance when there may be work: a transaction that wrote outbox
 * messages has committed ({@link #wake}: there may be messages to claim), or a delivery finished
 * ({@link #answered}: there is a result to record, and the next message of its ordering key may then be
 * due). Other instances' messages are found by the loop's short poll.
 */
public final class OutboxSignal {

	private boolean work;
	private boolean results;

	/** There may be new messages to claim. */
	public synchronized void wake() {
		work = true;
		notifyAll();
	}

	/** A delivery finished and waits to be recorded. */
	synchronized void answered() {
		results = true;
		notifyAll();
	}

	/**
	 * Waits until woken or the timeout passes; a wake-up that came before the wait is not lost. Returns whether the
	 * loop should look for messages to claim: it was woken for new work, or the poll interval passed.
	 */
	synchronized boolean await(long timeoutMillis) throws InterruptedException {
		long deadline = System.currentTimeMillis() + timeoutMillis;
		while (!work && !results) {
			long left = deadline - System.currentTimeMillis();
			if (left <= 0) {
				return true;
			}
			wait(left);
		}
		boolean look = work;
		work = false;
		results = false;
		return look;
	}
}
