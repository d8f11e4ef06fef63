package org.spgateway.access;

import java.util.Set;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.resources.ResourceChangeListener;
import org.spgateway.security.AccessPolicy;
import org.spgateway.security.Caller;
import org.spgateway.security.RequestGate;
import org.spgateway.store.StoredResource;

/**
 * Records who may see each stored version, inside the transaction that stores it (so a resource is never
 * visible to a partner without its rows, nor rows without the resource). Runs before every other listener: a
 * Subscription notification built in the same transaction checks these rows.
 */
public class AccessListener implements ResourceChangeListener {

	private final ResourceAccess access;
	private final AccessRecords records;
	private final AccessPolicy policy;

	public AccessListener(ResourceAccess access, AccessRecords records, AccessPolicy policy) {
		this.access = access;
		this.records = records;
		this.policy = policy;
	}

	@Override
	public void onChange(StoredResource stored, Resource resource, StoredResource previous) {
		if (stored.isConformance() || ResourceAccess.isPublic(stored.type())) {
			return;
		}
		Caller caller = RequestGate.currentCaller();
		Set<String> writer = "Subscription".equals(stored.type()) ? ownerOf(stored, previous, caller) : AccessPolicy.organisationKeys(caller);
		records.write(stored.pk(), stored.versionlessId(), access.derive(resource, writer));
	}

	/**
	 * A create that found the resource already stored (a Patient sent with an NHS number on record): the sender
	 * knows the resource now, and is given access to it as its writer would have been.
	 */
	@Override
	public void onFound(StoredResource stored) {
		Caller caller = RequestGate.currentCaller();
		if (caller != null && !stored.isConformance() && !ResourceAccess.isPublic(stored.type()) && !"Subscription".equals(stored.type())) {
			records.grant(stored.pk(), AccessPolicy.organisationKeys(caller));
		}
	}

	/** A Subscription keeps the owner that created it: an administrator (or the gateway) changing it does not become its owner. */
	private Set<String> ownerOf(StoredResource stored, StoredResource previous, Caller caller) {
		return previous != null ? Set.of() : policy.ownerKeys(caller);
	}
}
