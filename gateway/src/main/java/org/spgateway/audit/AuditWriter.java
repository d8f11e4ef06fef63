package org.spgateway.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.spgateway.audit.AuditRows.AuditRow;
import org.hl7.fhir.r4.model.AuditEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one writer of this instance's audit trail. Requests hand it their AuditEvents ({@link #enqueue}, a
 * queue offer: the request path never waits for the database); committed writes' events are already in
 * {@code audit_pending} (written in their own transaction). Every {@code flush-interval}, or sooner when a
 * batch is full, it appends what has gathered to the hash chain in one transaction: it locks the chain's
 * head row (so instances sharing a database take turns and keep one chain), numbers each event, writes its JSON
 * ({@link AuditEventJson}; a write's event, already JSON, is chained as such) and seals it, appends them to
 * {@code audit_event} (one row each: the link, the JSON as bytes, the search keys) with one {@code COPY}
 * ({@link AuditRows}), deletes the pending rows it chained and moves the head. The request thread only hands over
 * the event's few values ({@link AuditEvents}): its id, its JSON, its hash and its keys are all made here. Events are not resources
 * of the resource store: {@link AuditEventProvider} serves them from that table.
 *
 * <p>What a hard crash (kill -9, power loss) can lose: the events still in this queue, that is those of the
 * last {@code flush-interval} (50 ms by default) of reads, searches, refusals and delivery attempts. Writes'
 * events are never lost: they committed with the write. A graceful stop flushes everything.
 */
public class AuditWriter implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(AuditWriter.class);

	private final JdbcTemplate jdbc;
	private final TransactionTemplate transactions;
	private final FhirContext fhirContext;
	private final AuditProperties settings;
	private final BlockingQueue<AuditEventJson.Event> queue;
	/** Events taken from the queue whose batch failed: written first next time, in order. Touched by the writer thread only. */
	private final List<AuditEventJson.Event> carried = new ArrayList<>();
	private final Object signal = new Object();
	/** One batch at a time: the writer thread's and the final one at shutdown. */
	private final Object flushing = new Object();
	private final AtomicLong dropped = new AtomicLong();
	private final AuditRows copier = new AuditRows();
	private volatile boolean pendingWritten;
	private volatile boolean running;
	private Thread thread;
	private long lastPendingCheck;
	private long lastFailureLog;
	/** Earlier events given their keys by this instance (logged when none are left). */
	private long keyed;

	public AuditWriter(JdbcTemplate jdbc, TransactionTemplate transactions, FhirContext fhirContext,
			AuditProperties settings) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.fhirContext = fhirContext;
		this.settings = settings;
		this.queue = new ArrayBlockingQueue<>(settings.getQueueCapacity());
	}

	/**
	 * Takes an event to be chained with the next batch. Never blocks: with the queue full (the database down for long), it is
	 * dropped and counted.
	 */
	void enqueue(AuditEventJson.Event event) {
		if (!queue.offer(event)) {
			long n = dropped.incrementAndGet();
			if (n == 1 || n % 1000 == 0) {
				log.error("Audit: the queue is full ({} events waiting for the database); {} events dropped so far", queue.size(), n);
			}
			return;
		}
		if (queue.size() >= settings.getBatchSize()) {
			wake();
		}
	}

	/** A write's event has committed into audit_pending: chain it soon. */
	public void pendingWritten() {
		pendingWritten = true;
	}

	public long dropped() {
		return dropped.get();
	}

	public int waiting() {
		return queue.size() + carried.size();
	}

	private void wake() {
		synchronized (signal) {
			signal.notifyAll();
		}
	}

	@Override
	public synchronized void start() {
		if (running) {
			return;
		}
		running = true;
		thread = new Thread(this::run, "audit-writer");
		thread.setDaemon(true);
		thread.start();
	}

	@Override
	public synchronized void stop() {
		if (!running) {
			return;
		}
		running = false;
		wake();
		try {
			thread.join(10_000);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		// Everything the last requests and deliveries recorded, before the database closes.
		for (int attempt = 0; attempt < 100 && (waiting() > 0 || pendingRows() > 0); attempt++) {
			try {
				flush(true);
			} catch (RuntimeException e) {
				log.error("Audit: {} events could not be written before shutdown: {}", waiting(), e.getMessage());
				return;
			}
		}
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	/** Stops after the web server and the outbox (phases above this), so their last events are written; starts before them. */
	@Override
	public int getPhase() {
		return -1000;
	}

	private void run() {
		// Events stored before this version get their keys a batch at a time between batches of new events, so that a long trail
		// being upgraded never holds up (or, with the queue full, drops) what is being recorded now.
		boolean unkeyed = true;
		while (running) {
			try {
				synchronized (signal) {
					if (queue.size() < settings.getBatchSize() && !unkeyed) {
						signal.wait(settings.getFlushInterval().toMillis());
					}
				}
				long now = System.currentTimeMillis();
				// Pending rows of this instance's writes are chained at once; those left by an instance that died, now and then.
				boolean pending = pendingWritten || now - lastPendingCheck >= settings.getPendingPollInterval().toMillis();
				if (pending) {
					pendingWritten = false;
					lastPendingCheck = now;
				}
				while (running && flush(pending) >= settings.getBatchSize()) {
					pending = true;
				}
				if (unkeyed && running) {
					unkeyed = keyEarlierEvents() >= settings.getBatchSize();
				}
			} catch (InterruptedException e) {
				return;
			} catch (RuntimeException e) {
				long now = System.currentTimeMillis();
				if (now - lastFailureLog > 60_000) {
					log.warn("Audit: cannot write {} events yet (kept in memory, retrying): {}", waiting(), e.getMessage());
					lastFailureLog = now;
				}
				pendingWritten = true;
				try {
					Thread.sleep(settings.getFlushInterval().toMillis());
				} catch (InterruptedException ie) {
					return;
				}
			}
		}
	}

	private int pendingRows() {
		Integer n = jdbc.queryForObject("SELECT count(*) FROM audit_pending", Integer.class);
		return n == null ? 0 : n;
	}

	/** Chains one batch: pending rows first (they committed earlier), then queued events. Returns how many it wrote. */
	int flush(boolean includePending) {
		synchronized (flushing) {
			return flushNow(includePending);
		}
	}

	private int flushNow(boolean includePending) {
		while (carried.size() < settings.getBatchSize()) {
			AuditEventJson.Event next = queue.poll();
			if (next == null) {
				break;
			}
			carried.add(next);
		}
		if (carried.isEmpty() && !includePending) {
			return 0;
		}
		Integer written = transactions.execute(tx -> append(includePending));
		carried.clear();
		return written == null ? 0 : written;
	}

	/** A write's event as its transaction committed it, waiting to be chained. */
	private record Pending(long pk, String id, String content, String[] keys) {}

	private int append(boolean includePending) {
		Map<String, Object> head = jdbc.queryForMap("SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE");
		long seq = ((Number) head.get("seq")).longValue();
		String previous = ((String) head.get("hash")).trim();
		String written = AuditEventJson.instant(Instant.now());
		List<AuditRow> rows = new ArrayList<>();
		List<Long> pendingKeys = new ArrayList<>();
		if (includePending) {
			List<Pending> pending = new ArrayList<>();
			jdbc.query("SELECT pk, event_id, content, search_keys FROM audit_pending ORDER BY pk LIMIT ?", rs -> {
				Array keys = rs.getArray(4);
				pending.add(new Pending(rs.getLong(1), rs.getString(2), rs.getString(3), keys == null ? null : (String[]) keys.getArray()));
			}, settings.getBatchSize());
			for (Pending p : pending) {
				pendingKeys.add(p.pk());
				seq++;
				// A write's event, chained as JSON: the version that committed it wrote its keys beside it (older ones did not).
				AuditChain.Sealed seal = AuditChain.seal(p.content(), seq, previous);
				String[] keys = p.keys() != null ? p.keys()
						: AuditSearchKeys.of(fhirContext.newJsonParser().parseResource(AuditEvent.class, p.content()));
				Instant recorded = OffsetDateTime.parse(seal.json().path("recorded").asText()).toInstant();
				rows.add(new AuditRow(seq, p.id(), recorded, previous, seal.hash(), seal.stored("1", written).getBytes(StandardCharsets.UTF_8),
						AuditSearchKeys.columns(keys)));
				previous = seal.hash();
			}
		}
		for (AuditEventJson.Event event : carried) {
			seq++;
			String id = AuditIds.next();
			AuditEventJson.Sealed seal = AuditEventJson.seal(event, id, seq, previous, written);
			rows.add(new AuditRow(seq, id, event.recorded().truncatedTo(ChronoUnit.MILLIS), previous, seal.hash(), seal.utf8(),
					AuditSearchKeys.columnsOf(event)));
			previous = seal.hash();
		}
		if (rows.isEmpty()) {
			return 0;
		}
		copier.copy(jdbc, rows);
		if (!pendingKeys.isEmpty()) {
			String keys = String.join(",", pendingKeys.stream().map(String::valueOf).toList());
			jdbc.update("DELETE FROM audit_pending WHERE pk = ANY(?::bigint[])", "{" + keys + "}");
		}
		jdbc.update("UPDATE audit_chain_head SET seq = ?, hash = ? WHERE id = 1", seq, previous);
		return rows.size();
	}

	/**
	 * Gives one batch of events stored without their keys (moved by migration V90, or stored before V106 changed how keys are
	 * kept) their keys, found in their JSON; returns how many it did. Idempotent: several instances may do it at once.
	 */
	int keyEarlierEvents() {
		IParser parser = fhirContext.newJsonParser();
		List<Object[]> updates = new ArrayList<>();
		jdbc.query("SELECT seq, content FROM audit_event WHERE key_hashes IS NULL ORDER BY seq LIMIT ?", rs -> {
			byte[] content = rs.getBytes(2);
			String[] keys = new String[0];
			if (content != null) {
				try {
					keys = AuditSearchKeys.of(parser.parseResource(AuditEvent.class, new String(content, StandardCharsets.UTF_8)));
				} catch (RuntimeException e) {
					// Not an AuditEvent any more (changed behind the API's back): $verify-chain names it; nothing to search by.
				}
			}
			updates.add(new Object[] {rs.getLong(1), AuditSearchKeys.columns(keys)});
		}, settings.getBatchSize());
		int n = updates.isEmpty() ? 0 : jdbc.execute((ConnectionCallback<Integer>) connection -> {
			try (PreparedStatement statement = connection.prepareStatement(
					"UPDATE audit_event SET key_hashes = ?, code_hashes = ?, names = ? WHERE seq = ?")) {
				for (Object[] u : updates) {
					AuditSearchKeys.Columns columns = (AuditSearchKeys.Columns) u[1];
					statement.setObject(1, columns.keyHashes());
					statement.setObject(2, columns.codeHashes());
					statement.setArray(3, connection.createArrayOf("text", columns.names()));
					statement.setLong(4, (Long) u[0]);
					statement.addBatch();
				}
				statement.executeBatch();
				return updates.size();
			}
		});
		keyed += n;
		if (n < settings.getBatchSize() && keyed > 0) {
			log.info("Audit: {} events stored before this version can be searched again", keyed);
		}
		return n;
	}
}
