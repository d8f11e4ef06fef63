package org.spgateway.audit;

import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.model.valueset.BundleEntryTransactionMethodEnum;
import ca.uhn.fhir.rest.server.method.ResponsePage;
import jakarta.annotation.Nonnull;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.spgateway.server.OffsetPage;

/**
 * One page of AuditEvents, handed to HAPI with its offset and size so that its {@code next}/{@code previous} links are the
 * query plus {@code _offset}/{@code _count} (no paging state in the server, as for every other type).
 */
final class AuditBundle extends OffsetPage {

	private final List<AuditEvent> events;
	private final List<IBaseResource> included;
	private final boolean history;

	private AuditBundle(List<AuditEvent> events, List<IBaseResource> included, int offset, int pageSize, boolean hasMore, Integer total,
			boolean history) {
		super(offset, pageSize, hasMore, total);
		this.events = events;
		this.included = included;
		this.history = history;
	}

	static AuditBundle page(List<AuditEvent> events, List<IBaseResource> included, int offset, int pageSize, boolean hasMore, Integer total) {
		return new AuditBundle(events, included, offset, pageSize, hasMore, total, false);
	}

	/** An event's history: the one version, written by the gateway (POST). */
	static AuditBundle history(AuditEvent event) {
		return new AuditBundle(List.of(event), List.of(), 0, 1, false, 1, true);
	}

	@Nonnull
	@Override
	public List<IBaseResource> getResources(int theFromIndex, int theToIndex, @Nonnull ResponsePage.ResponsePageBuilder theResponsePageBuilder) {
		// The page was fetched for exactly this offset and size; HAPI asks for "all of it" in offset mode.
		List<IBaseResource> resources = new ArrayList<>(events.size());
		for (AuditEvent event : events) {
			if (history) {
				ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.put(event, BundleEntryTransactionMethodEnum.POST);
			} else {
				ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(event, BundleEntrySearchModeEnum.MATCH);
			}
			resources.add(event);
		}
		for (IBaseResource resource : included) {
			ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(resource, BundleEntrySearchModeEnum.INCLUDE);
			resources.add(resource);
		}
		theResponsePageBuilder.setIncludedResourceCount(included.size());
		theResponsePageBuilder.setTotalRequestedResourcesFetched(events.size() + (hasMore() ? 1 : 0));
		return resources;
	}
}
