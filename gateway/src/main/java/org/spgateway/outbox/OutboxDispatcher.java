package org.spgateway.outbox;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
 * as there are idle workers) and a small fixed pool of worker threads sends them. The loop sleeps until
 * a local commit or a finished delivery wakes it, or the poll interval passes (for messages written by
 * other instances, and retries coming due); it never spins.
 *
 * <p>Stopping: no new claims; in-flight deliveries get the shutdown grace period to finish, and any
 * still running then are interrupted and handed back (due at once, for any instance). Nothing is lost:
 * a message leaves the outbox only when a receiver has answered 2xx.
 */
public class OutboxDispatcher implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(OutboxDispatcher.class);
	private static final Duration PRUNE_EVERY = Duration.ofMinutes(10);
	private static final int PRUNE_BATCH = 1000;
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

	private volatile boolean running;
	/**
	 * Whether the last claim took as many messages as there were idle workers: more may be due, so a worker that
	 * finishes wakes the loop to claim again. Otherwise a finished delivery wakes it only when it freed other
	 * messages, and the loop does not run a claim that would find nothing after every delivery.
	 */
	private volatile boolean backlog;
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
		while (running) {
			try {
				prune();
				int free = idle.availablePermits();
				if (free > 0) {
					List<OutboxStore.Claimed> claimed = store.claim(free, settings.lease(), instance);
					backlog = claimed.size() == free;
					for (OutboxStore.Claimed m : claimed) {
						idle.acquire();
						inFlight.put(m.id(), m);
						workers.execute(() -> deliver(m));
					}
					failingSince = 0;
					if (!claimed.isEmpty() && claimed.size() == free) {
						// A full batch: there may be more due; claim again as soon as a worker is idle.
						continue;
					}
				} else {
					// Woken with every worker busy: what woke it is claimed when the next worker finishes.
					backlog = true;
				}
				signal.await(settings.getPollInterval().toMillis());
			} catch (InterruptedException e) {
				return;
			} catch (RuntimeException e) {
				// The database is unreachable or failing: say so once in a while, keep trying.
				long now = System.currentTimeMillis();
				if (failingSince == 0 || now - failingSince > 60_000) {
					log.warn("Outbox: cannot claim messages: {}", e.getMessage());
					failingSince = now;
				}
				try {
					signal.await(settings.getPollInterval().toMillis());
				} catch (InterruptedException ie) {
					return;
				}
			}
		}
	}

	private void deliver(OutboxStore.Claimed m) {
		String requestId = UUID.randomUUID().toString();
		MDC.put(MDC_REQUEST_ID, requestId);
		MDC.put(MDC_CORRELATION_ID, m.correlationId());
		long started = System.nanoTime();
		boolean wake = true;
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
			Recorded recorded = record(m, result, System.nanoTime() - started);
			wake = recorded.freedOthers() || backlog;
			observe(m, result, requestId, recorded.gaveUp());
		} catch (InterruptedException e) {
			release(m);
		} catch (RuntimeException e) {
			// Recording the result failed (database trouble): the lease runs out and the message is tried again.
			log.warn("Outbox: could not record the result of message {} ({}): {}", m.id(), m.subject(), e.getMessage());
		} finally {
			inFlight.remove(m.id());
			idle.release();
			if (wake) {
				signal.wake();
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

	/** What recording an attempt found: whether it was the last attempt (delivery gave up), and whether it freed other messages. */
	private record Recorded(boolean gaveUp, boolean freedOthers) {}

	/** Records the attempt's result. */
	private Recorded record(OutboxStore.Claimed m, HttpDelivery.Result result, long nanos) {
		if (result.delivered()) {
			List<OutboxChannelOwner> receipts = owners(m.channel()).stream().filter(OutboxChannelOwner::wantsReceipts).toList();
			OutboxStore.Delivered done = receipts.isEmpty() ? store.delivered(m, result.status()) : transactions.execute(tx -> {
				OutboxStore.Delivered d = store.delivered(m, result.status());
				if (d.recorded()) {
					receipts.forEach(owner -> owner.delivered(m.channel(), m.subject()));
				}
				return d;
			});
			if (!done.recorded()) {
				log.warn("Outbox: message {} ({}) was delivered after its claim was lost; it may be delivered again", m.id(), m.subject());
			}
			metrics.attempt("delivered", nanos);
			log.debug("Outbox: delivered message {} ({}) on attempt {}: HTTP {}", m.id(), m.subject(), m.attempts(), result.status());
			return new Recorded(false, done.freedOthers());
		}
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
		// A failure reschedules the channel's messages: the loop looks again.
		return new Recorded(after == OutboxStore.AfterFailure.GAVE_UP, true);
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
