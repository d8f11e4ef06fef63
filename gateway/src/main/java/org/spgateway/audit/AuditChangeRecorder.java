package org.spgateway.audit;

import org.hl7.fhir.r4.model.Resource;
import org.spgateway.resources.ResourceChangeListener;
import org.spgateway.store.StoredResource;
import org.springframework.core.Ordered;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Notes every version a request stores on its {@link RequestAudit}, and writes the event of what a
 * transaction stored just before it commits (last among the transaction's own before-commit work, so
 * what feedback composes then is usually in it too). A transaction that rolls back is forgotten: what it
 * stored never happened. Changes made by background work (no request) are not request events: outbox
 * deliveries are audited as deliveries.
 */
public class AuditChangeRecorder implements ResourceChangeListener, Ordered {

	private final AuditTrail trail;

	public AuditChangeRecorder(AuditTrail trail) {
		this.trail = trail;
	}

	@Override
	public void onChange(StoredResource stored, Resource resource, StoredResource previous) {
		RequestAudit audit = RequestAudit.current();
		if (audit == null) {
			return;
		}
		if (TransactionSynchronizationManager.isSynchronizationActive() && !TransactionSynchronizationManager.hasResource(audit)) {
			int before = audit.touchedCount();
			TransactionSynchronizationManager.bindResource(audit, Boolean.TRUE);
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void beforeCommit(boolean readOnly) {
					trail.receipt(audit);
				}

				@Override
				public void afterCompletion(int status) {
					TransactionSynchronizationManager.unbindResourceIfPossible(audit);
					if (status == STATUS_COMMITTED) {
						trail.receiptCommitted();
					} else {
						audit.rollBackTo(before);
					}
				}
			});
		}
		audit.touched(stored.versionedId(), PatientOf.resource(resource));
	}

	/** Told last, so its synchronization is registered (and runs) after those of the listeners before it. */
	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}
}
