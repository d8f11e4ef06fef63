package org.spgateway.resources;

import org.hl7.fhir.r4.model.Resource;
import org.spgateway.store.StoredResource;

/**
 * Told of every resource version the gateway writes, inside the same database transaction, so that
 * what it records (outbox rows for notifications, audit) commits or rolls back with the write.
 */
public interface ResourceChangeListener {

	void onChange(StoredResource stored, Resource resource, StoredResource previous);

	/**
	 * Told, inside the request's transaction, when a create found the resource already stored instead of writing it
	 * (a type's write handler knew it: a Patient with a known NHS number, a resent referral): the sender now knows it too.
	 */
	default void onFound(StoredResource stored) {}
}
