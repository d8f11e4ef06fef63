package org.spgateway.outbox;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers outbox messages from this instance: one loop thread claims due messages in batches (as many
 * as there are idle workers) and a fixed pool of worker threads sends them. The loop also records the
 * deliveries the workers finished, all those that finished since it last looked in one statement, so under
 * load one claim and one recording serve many deliveries. The loop sleeps until a local commit or a
 * finished delivery wakes it, or the poll interval passes (for messages written by other instances, and
 * retries coming due); it never spins, and it claims only when there may be something to claim.
 *
 * <p>Stopping: no new claims; in-flight deliveries get the shutdown grace period to finish, and any
 * still running then are interrupted and handed back (due at once, for any instance). Deliveries answered
 * but not yet recorded are recorded. Nothing is lost: a message leaves the outbox only when a receiver has
 * answered 2xx.
 */
public class OutboxDispatcher implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(OutboxDispatcher.class);
	private static final Duration PRUNE_EVERY = Duration.ofMinutes(10);
	private static final int PRUNE_BATCH = 1000;
	/** The most deliveries recorded in one statement (its arrays stay small; a longer queue is recorded in several). */
	private static final int RECORD_BATCH = 500;
	private static final String MDC_REQUEST_ID = "requestId";
	private static final String MDC_CORRELATION_ID = "correlationId";

	private final OutboxStore store;
	private final HttpDelivery http;
	private final RetryPolicy retry;
	private final OutboxProperties settings;
	private final OutboxSignal signal;
	private final List<OutboxChannelOwner> owners;
	private final TransactionTemplate transactions;
	private final OutboxMetrics metrics;
	private final List<DeliveryObserver> observers;
	private final String instance;
	private final Map<Long, OutboxStore.Claimed> inFlight = new ConcurrentHashMap<>();

	/** Deliveries answered 2xx and not yet recorded: the loop records them together. */
	private final Queue<Answered> answered = new ConcurrentLinkedQueue<>();

	private volatile boolean running;
	/** Whether the last recording took a full batch: more answered deliveries wait (loop thread only). */
	private boolean moreAnswered;
	private Thread loop;
	private ExecutorService workers;
	private Semaphore idle;
	private long lastPrune;

	public OutboxDispatcher(OutboxStore store, HttpDelivery http, OutboxProperties settings, OutboxSignal signal,
			List<OutboxChannelOwner> owners, TransactionTemplate transactions, OutboxMetrics metrics, List<DeliveryObserver> observers) {
		this.store = store;
		this.http = http;
		this.retry = new RetryPolicy(settings.getInitialBackoff(), settings.getMaxBackoff());
		this.settings = settings;
		this.signal = signal;
		this.owners = owners;
		this.transactions = transactions;
		this.metrics = metrics;
		this.observers = observers;
		this.instance = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
	}

	/** Names this instance in claimed_by, logs and health. */
	public String instance() {
		return instance;
	}

	public int inFlight() {
		return inFlight.size();
	}

	/** Whether the delivery loop is alive (false when delivery is disabled on this instance). */
	public boolean delivering() {
		Thread t = loop;
		return running && t != null && t.isAlive();
	}

	// ---------------------------------------------------------------- lifecycle

	@Override
	public synchronized void start() {
		if (running) {
			return;
		}
		running = true;
		if (!settings.isEnabled()) {
			log.info("Outbox delivery is disabled on this instance (gateway.notifications.delivery.enabled=false)");
			return;
		}
		idle = new Semaphore(settings.getWorkers());
		AtomicInteger n = new AtomicInteger();
		workers = Executors.newFixedThreadPool(settings.getWorkers(), r -> {
			Thread t = new Thread(r, "outbox-delivery-" + n.incrementAndGet());
			t.setDaemon(true);
			return t;
		});
		loop = new Thread(this::run, "outbox-dispatcher");
		loop.setDaemon(true);
		loop.start();
	}

	@Override
	public synchronized void stop() {
		if (!running) {
			return;
		}
		running = false;
		if (loop == null) {
			return;
		}
		signal.wake();
		try {
			loop.join(Math.max(1000, settings.getPollInterval().toMillis() * 2));
			workers.shutdown();
			if (!workers.awaitTermination(settings.getShutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
				log.info("Outbox: {} deliveries still running after the shutdown grace period; handing them back for retry", inFlight.size());
				workers.shutdownNow();
				workers.awaitTermination(5, TimeUnit.SECONDS);
			}
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		try {
			recordAnswered(Integer.MAX_VALUE);
		} catch (RuntimeException e) {
			// Their leases run out and they are delivered again (at least once).
			log.warn("Outbox: could not record {} deliveries at shutdown: {}", answered.size(), e.getMessage());
		}
		for (OutboxStore.Claimed m : inFlight.values()) {
			release(m);
		}
		loop = null;
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	/** Starts before and stops after the web server: no request can enqueue after delivery has stopped. */
	@Override
	public int getPhase() {
		return 0;
	}

	// ---------------------------------------------------------------- the loop

	private void run() {
		long failingSince = 0;
		// Whether a claim may find something: a local commit or a re-drive woke the loop, a delivery freed the next message of
		// its key, the last claim was full, or the poll interval passed. Otherwise the loop only records deliveries: a claim
		// after every delivery would mostly find nothing.
		boolean look = true;
		while (running) {
			try {
				prune();
				look |= recordAnswered(RECORD_BATCH);
				int free = idle.availablePermits();
				if (look && free > 0) {
					List<OutboxStore.Claimed> claimed = store.claim(free, settings.lease(), instance);
					for (OutboxStore.Claimed m : claimed) {
						idle.acquire();
						inFlight.put(m.id(), m);
						workers.execute(() -> deliver(m));
					}
					// A full batch: there may be more due.
					look = claimed.size() == free;
				}
				failingSince = 0;
				if ((look && idle.availablePermits() > 0) || moreAnswered) {
					continue;
				}
				look |= signal.await(settings.getPollInterval().toMillis());
			} catch (InterruptedException e) {
				return;
			} catch (RuntimeException e) {
				// The database is unreachable or failing: say so once in a while, keep trying.
				long now = System.currentTimeMillis();
				if (failingSince == 0 || now - failingSince > 60_000) {
					log.warn("Outbox: cannot claim messages or record deliveries: {}", e.getMessage());
					failingSince = now;
				}
				look = true;
				try {
					signal.await(settings.getPollInterval().toMillis());
				} catch (InterruptedException ie) {
					return;
				}
			}
		}
	}

	/** A delivery answered 2xx, waiting to be recorded; {@code at} (System.nanoTime) bounds how long it is worth trying. */
	private record Answered(OutboxStore.Answered delivery, long at) {}

	/**
	 * Records up to {@code max} answered deliveries in one statement; returns whether that freed other messages. If the
	 * database fails, they are kept for the next round while their claims' leases last: recorded late is recorded once
	 * (the claim token guards it); a delivery whose lease has run out is delivered again by whoever claims it next.
	 */
	private synchronized boolean recordAnswered(int max) {
		List<Answered> batch = new ArrayList<>();
		for (Answered a; batch.size() < max && (a = answered.poll()) != null;) {
			batch.add(a);
		}
		moreAnswered = batch.size() == max;
		if (batch.isEmpty()) {
			return false;
		}
		OutboxStore.Delivered done;
		try {
			done = store.delivered(batch.stream().map(Answered::delivery).toList());
		} catch (RuntimeException e) {
			long now = System.nanoTime();
			batch.stream().filter(a -> now - a.at() < settings.lease().toNanos()).forEach(answered::add);
			throw e;
		}
		for (Answered a : batch) {
			OutboxStore.Claimed m = a.delivery().message();
			if (!done.recorded().contains(m.id())) {
				log.warn("Outbox: message {} ({}) was delivered after its claim was lost; it may be delivered again", m.id(), m.subject());
			}
		}
		return done.freedOthers();
	}

	private void deliver(OutboxStore.Claimed m) {
		String requestId = UUID.randomUUID().toString();
		MDC.put(MDC_REQUEST_ID, requestId);
		MDC.put(MDC_CORRELATION_ID, m.correlationId());
		long started = System.nanoTime();
		boolean recordNow = false;
		try {
			HttpDelivery.Result result;
			try {
				result = http.send(m, requestId);
			} catch (IllegalArgumentException e) {
				// A header or URL the HTTP client refuses: a permanent problem, retried until give-up like any other.
				// Its message may quote the header, so the recorded error names only the class of reason.
				log.debug("Outbox: message {} could not be built: {}", m.id(), e.getMessage());
				String error = "Could not deliver: the request could not be built (a header or the URL is not valid HTTP)";
				result = new HttpDelivery.Result(false, null, error, null);
			}
			long nanos = System.nanoTime() - started;
			boolean gaveUp = false;
			List<OutboxChannelOwner> receipts = result.delivered() ? receiptTakers(m.channel()) : List.of();
			if (result.delivered() && receipts.isEmpty()) {
				// Recorded by the loop with the others that finished meanwhile.
				answered.add(new Answered(new OutboxStore.Answered(m, result.status()), System.nanoTime()));
				metrics.attempt("delivered", nanos);
				log.debug("Outbox: delivered message {} ({}) on attempt {}: HTTP {}", m.id(), m.subject(), m.attempts(), result.status());
			} else {
				recordNow = true;
				gaveUp = result.delivered() ? recordWithReceipts(m, result, receipts, nanos) : recordFailure(m, result, nanos);
			}
			observe(m, result, requestId, gaveUp);
		} catch (InterruptedException e) {
			release(m);
		} catch (RuntimeException e) {
			// Recording the result failed (database trouble): the lease runs out and the message is tried again.
			log.warn("Outbox: could not record the result of message {} ({}): {}", m.id(), m.subject(), e.getMessage());
		} finally {
			inFlight.remove(m.id());
			idle.release();
			if (recordNow) {
				// A failure reschedules the channel's messages, a receipt may free the next of its key: the loop looks again.
				signal.wake();
			} else {
				signal.answered();
			}
			MDC.remove(MDC_REQUEST_ID);
			MDC.remove(MDC_CORRELATION_ID);
		}
	}

	private void observe(OutboxStore.Claimed m, HttpDelivery.Result result, String requestId, boolean gaveUp) {
		for (DeliveryObserver observer : observers) {
			try {
				observer.attempted(m, result, requestId, gaveUp);
			} catch (RuntimeException e) {
				log.warn("Outbox: an observer of message {} failed: {}", m.id(), e.getMessage());
			}
		}
	}

	/** The owners of a channel that want to hear of each delivery (feedback): theirs is recorded at once, in one transaction with theirs. */
	private List<OutboxChannelOwner> receiptTakers(String channel) {
		return owners(channel).stream().filter(OutboxChannelOwner::wantsReceipts).toList();
	}

	/** Records a delivery whose channel's owners record it too, in one transaction; never gives up. */
	private boolean recordWithReceipts(OutboxStore.Claimed m, HttpDelivery.Result result, List<OutboxChannelOwner> receipts, long nanos) {
		OutboxStore.Delivered done = transactions.execute(tx -> {
			OutboxStore.Delivered d = store.delivered(List.of(new OutboxStore.Answered(m, result.status())));
			if (d.recorded().contains(m.id())) {
				receipts.forEach(owner -> owner.delivered(m.channel(), m.subject()));
			}
			return d;
		});
		if (!done.recorded().contains(m.id())) {
			log.warn("Outbox: message {} ({}) was delivered after its claim was lost; it may be delivered again", m.id(), m.subject());
		}
		metrics.attempt("delivered", nanos);
		log.debug("Outbox: delivered message {} ({}) on attempt {}: HTTP {}", m.id(), m.subject(), m.attempts(), result.status());
		return false;
	}

	/** Records a failed attempt; returns whether it was the last (delivery gave up, the channel is suspended). */
	private boolean recordFailure(OutboxStore.Claimed m, HttpDelivery.Result result, long nanos) {
		Duration delay = retry.delay(m.attempts(), result.retryAfter());
		OutboxStore.AfterFailure after = transactions.execute(tx -> {
			if (store.pastGiveUp(m)) {
				owners(m.channel()).forEach(owner -> owner.beforeGiveUp(m.channel()));
			}
			OutboxStore.AfterFailure outcome = store.failed(m, result.status(), result.error(), delay);
			if (outcome == OutboxStore.AfterFailure.GAVE_UP) {
				String reason = "Delivery gave up after " + m.attempts() + " attempts over " + human(settings.getGiveUpAfter())
						+ "; last error: " + result.error();
				store.suspend(m.channel(), reason);
				owners(m.channel()).forEach(owner -> owner.gaveUp(m.channel(), reason));
			}
			return outcome;
		});
		switch (after) {
			case GAVE_UP -> {
				metrics.attempt("failed", nanos);
				log.warn("Outbox: gave up on message {} ({}) of {} after {} attempts: {}; the channel is suspended until re-driven",
						m.id(), m.subject(), m.channel(), m.attempts(), result.error());
			}
			case RETRY -> {
				metrics.attempt("retry", nanos);
				if (m.attempts() == 1) {
					log.info("Outbox: message {} ({}) of {} not delivered, retrying: {}", m.id(), m.subject(), m.channel(), result.error());
				} else {
					log.debug("Outbox: attempt {} of message {} failed: {}; next in {}", m.attempts(), m.id(), result.error(), delay);
				}
			}
			case LOST -> log.debug("Outbox: message {} was cancelled or re-claimed during its attempt", m.id());
		}
		return after == OutboxStore.AfterFailure.GAVE_UP;
	}

	private List<OutboxChannelOwner> owners(String channel) {
		return owners.stream().filter(o -> o.owns(channel)).toList();
	}

	private void release(OutboxStore.Claimed m) {
		try {
			store.release(m);
		} catch (RuntimeException e) {
			// The lease runs out instead.
			log.debug("Outbox: could not release message {}: {}", m.id(), e.getMessage());
		}
	}

	private void prune() {
		long now = System.currentTimeMillis();
		if (now - lastPrune < PRUNE_EVERY.toMillis()) {
			return;
		}
		lastPrune = now;
		int deleted;
		int total = 0;
		do {
			deleted = store.prune(settings.getRetention(), PRUNE_BATCH);
			total += deleted;
		} while (deleted == PRUNE_BATCH && running);
		if (total > 0) {
			log.info("Outbox: deleted {} messages delivered or cancelled more than {} ago", total, human(settings.getRetention()));
		}
	}

	static String human(Duration d) {
		if (d.toDays() > 0 && d.equals(Duration.ofDays(d.toDays()))) {
			return d.toDays() + " d";
		}
		if (d.toHours() > 0 && d.equals(Duration.ofHours(d.toHours()))) {
			return d.toHours() + " h";
		}
		if (d.toMinutes() > 0 && d.equals(Duration.ofMinutes(d.toMinutes()))) {
			return d.toMinutes() + " min";
		}
		if (d.toSeconds() > 0 && d.equals(Duration.ofSeconds(d.toSeconds()))) {
			return d.toSeconds() + " s";
		}
		return d.toMillis() + " ms";
	}
}
