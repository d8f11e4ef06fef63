package org.spgateway.audit;

import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.model.valueset.BundleEntryTransactionMethodEnum;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.server.method.ResponsePage;
import jakarta.annotation.Nonnull;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.InstantType;

/**
 * One page of AuditEvents, handed to HAPI with its offset and size so that its {@code next}/{@code previous} links are the
 * query plus {@code _offset}/{@code _count} (no paging state in the server, as for every other type).
 */
final class AuditBundle implements IBundleProvider {

	private final List<AuditEvent> events;
	private final List<IBaseResource> included;
	private final int offset;
	private final int pageSize;
	private final boolean hasMore;
	private final Integer total;
	private final boolean history;
	private final Date published = new Date();

	private AuditBundle(List<AuditEvent> events, List<IBaseResource> included, int offset, int pageSize, boolean hasMore, Integer total,
			boolean history) {
		this.events = events;
		this.included = included;
		this.offset = offset;
		this.pageSize = pageSize;
		this.hasMore = hasMore;
		this.total = total;
		this.history = history;
	}

	static AuditBundle page(List<AuditEvent> events, List<IBaseResource> included, int offset, int pageSize, boolean hasMore, Integer total) {
		return new AuditBundle(events, included, offset, pageSize, hasMore, total, false);
	}

	/** An event's history: the one version, written by the gateway (POST). */
	static AuditBundle history(AuditEvent event) {
		return new AuditBundle(List.of(event), List.of(), 0, 1, false, 1, true);
	}

	@Override
	public IPrimitiveType<Date> getPublished() {
		return new InstantType(published);
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
		theResponsePageBuilder.setTotalRequestedResourcesFetched(events.size() + (hasMore ? 1 : 0));
		return resources;
	}

	@Override
	public List<IBaseResource> getResources(int theFromIndex, int theToIndex) {
		return getResources(theFromIndex, theToIndex, new ResponsePage.ResponsePageBuilder());
	}

	@Override
	public String getUuid() {
		return null;
	}

	@Override
	public Integer getCurrentPageOffset() {
		return offset;
	}

	@Override
	public Integer getCurrentPageSize() {
		return pageSize;
	}

	@Override
	public String getNextPageId() {
		return hasMore ? "next" : null;
	}

	@Override
	public String getPreviousPageId() {
		return offset > 0 ? "previous" : null;
	}

	@Override
	public Integer preferredPageSize() {
		return pageSize;
	}

	@Override
	public Integer size() {
		return total;
	}
}
