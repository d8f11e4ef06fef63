package org.spgateway.resources;

import org.hl7.fhir.r4.model.Resource;
import org.spgateway.store.StoredResource;

/**
 * Told of every resource version the gateway writes, inside the same database transaction, so that
 * what it records (outbox rows for notifications, audit) commits or rolls back with the write.
 */
public interface ResourceChangeListener {

	void onChange(StoredResource stored, Resource resource, StoredResource previous);
}
