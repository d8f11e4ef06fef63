package org.spgateway.directory;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.resources.ResourceChangeListener;
import org.spgateway.store.StoredResource;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Counts committed writes of directory resources, so that the in-memory directory knows when its
 * snapshot is out of date. Counted after commit: a write that rolls back changes nothing. (A bean of
 * its own, with no dependencies, because the resource service collects its listeners when it is built.)
 */
public class DirectoryChanges implements ResourceChangeListener {

	private static final Set<String> TYPES = Set.of("Organization", "HealthcareService");

	private final AtomicLong generation = new AtomicLong();

	@Override
	public void onChange(StoredResource stored, Resource resource, StoredResource previous) {
		if (!TYPES.contains(stored.type())) {
			return;
		}
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					generation.incrementAndGet();
				}
			});
		} else {
			generation.incrementAndGet();
		}
	}

	/** Increases with every committed directory write (and every explicit invalidation). */
	public long generation() {
		return generation.get();
	}

	public void changed() {
		generation.incrementAndGet();
	}
}
