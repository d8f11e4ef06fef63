package org.spgateway.audit;

import java.util.List;
import org.spgateway.store.TransactionWrites;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Where the gateway's audit events go. A committed write's event is written in the write's own transaction
 * ({@link #receipt}, into {@code audit_pending}), so it commits or rolls back with the write; everything
 * else (reads, searches, refusals, failures after a rollback, delivery attempts) is handed to the
 * {@link AuditWriter}'s queue when the request or attempt has ended.
 */
public class AuditTrail {

	private final AuditEvents events;
	private final AuditWriter writer;
	private final JdbcTemplate jdbc;

	public AuditTrail(AuditEvents events, AuditWriter writer, JdbcTemplate jdbc) {
		this.events = events;
		this.writer = writer;
		this.jdbc = jdbc;
	}

	/**
	 * The request has been answered with {@code status}. Nothing more to record when every version it stored is
	 * already in a receipt and it succeeded; otherwise one event, with what the receipts did not list.
	 */
	void completed(RequestAudit request, int status) {
		if (status < 400 && request.anyReceipted() && request.allReceipted()) {
			return;
		}
		writer.enqueue(events.rest(request, status, request.takeUnreceipted()));
	}

	/** Inside a transaction about to commit: the event of what the request stored in it, committed with it. */
	void receipt(RequestAudit request) {
		List<RequestAudit.Touched> stored = request.takeUnreceipted();
		if (stored.isEmpty()) {
			return;
		}
		AuditEventJson.Event event = events.rest(request, 200, stored);
		String id = AuditIds.next();
		// Joins the transaction's combined write (sent after every before-commit callback, this one included). The keys go with it
		// so that the writer, which chains it, need not read the JSON back for them.
		TransactionWrites.send(jdbc, "INSERT INTO audit_pending (event_id, content, search_keys) VALUES (?, ?, ?)", id,
				AuditEventJson.unchained(event, id), AuditSearchKeys.of(event));
	}

	void receiptCommitted() {
		writer.pendingWritten();
	}

	void transmitted(AuditEvents.Delivery delivery) {
		writer.enqueue(events.transmit(delivery));
	}
}
