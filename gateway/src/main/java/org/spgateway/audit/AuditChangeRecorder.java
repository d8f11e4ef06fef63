package org.spgateway.audit;

import org.hl7.fhir.r4.model.Resource;
import org.spgateway.resources.ResourceChangeListener;
import org.spgateway.store.StoredResource;
import org.spgateway.store.TransactionScoped;
import org.springframework.core.Ordered;

/**
 * Notes every version a request stores on its {@link RequestAudit}, and writes the event of what a
 * transaction stored just before it commits (last among the transaction's own before-commit work, so
 * what feedback composes then is usually in it too). A transaction that rolls back is forgotten: what it
 * stored never happened. Changes made by background work (no request) are not request events: outbox
 * deliveries are audited as deliveries.
 */
public class AuditChangeRecorder implements ResourceChangeListener, Ordered {

	private final AuditTrail trail;
	/** The request's audit and how many versions it had noted when the current transaction first stored one. */
	private final TransactionScoped<Mark> receipts;

	private record Mark(RequestAudit audit, int before) {}

	public AuditChangeRecorder(AuditTrail trail) {
		this.trail = trail;
		this.receipts = new TransactionScoped<>(mark -> trail.receipt(mark.audit()), (mark, committed) -> {
			if (committed) {
				trail.receiptCommitted();
			} else {
				mark.audit().rollBackTo(mark.before());
			}
		});
	}

	@Override
	public void onChange(StoredResource stored, Resource resource, StoredResource previous) {
		RequestAudit audit = RequestAudit.current();
		if (audit == null) {
			return;
		}
		// The first change of a transaction marks where its versions begin, so that a rollback forgets only them.
		receipts.get(() -> new Mark(audit, audit.touchedCount()));
		audit.touched(stored.versionedId(), PatientOf.resource(resource));
	}

	/** Told last, so its synchronization is registered (and runs) after those of the listeners before it. */
	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}
}
