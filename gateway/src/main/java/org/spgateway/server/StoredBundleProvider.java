package org.spgateway.server;

import ca.uhn.fhir.context.FhirContext;
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
import org.hl7.fhir.r4.model.InstantType;
import org.spgateway.store.HistoryEntry;
import org.spgateway.store.StoredResource;

/**
 * One page of stored resources, handed to HAPI with its offset and size so that HAPI builds
 * {@code next}/{@code previous} links from the original query plus {@code _offset}/{@code _count}: no
 * paging state lives in the server, so links work after a restart and on any instance.
 */
final class StoredBundleProvider implements IBundleProvider {

	private final FhirContext fhirContext;
	private final List<StoredResource> matches;
	private final List<StoredResource> included;
	private final int offset;
	private final int pageSize;
	private final boolean hasMore;
	private final Integer total;
	/** For a history page: the HTTP verb that wrote each of {@link #matches}; null for a search page. */
	private final List<String> historyMethods;
	private final Date published = new Date();
	private final boolean asStored;

	/** {@code asStored}: the request asks for no conversion, so entries are views written from their stored JSON ({@link StoredJson}). */
	StoredBundleProvider(FhirContext fhirContext, List<StoredResource> matches, List<StoredResource> included, int offset, int pageSize,
			boolean hasMore, Integer total, boolean asStored) {
		this(fhirContext, matches, included, offset, pageSize, hasMore, total, null, asStored);
	}

	/** A page of a resource's history: entries say how each version was written (entry.request), not a search mode. */
	static StoredBundleProvider history(FhirContext fhirContext, List<HistoryEntry> versions, int offset, int pageSize, boolean hasMore,
			Integer total, boolean asStored) {
		return new StoredBundleProvider(fhirContext, versions.stream().map(HistoryEntry::version).toList(), List.of(), offset, pageSize,
				hasMore, total, versions.stream().map(HistoryEntry::httpVerb).toList(), asStored);
	}

	private StoredBundleProvider(FhirContext fhirContext, List<StoredResource> matches, List<StoredResource> included, int offset,
			int pageSize, boolean hasMore, Integer total, List<String> historyMethods, boolean asStored) {
		this.historyMethods = historyMethods;
		this.asStored = asStored;
		this.fhirContext = fhirContext;
		this.matches = matches;
		this.included = included;
		this.offset = offset;
		this.pageSize = pageSize;
		this.hasMore = hasMore;
		this.total = total;
	}

	@Override
	public IPrimitiveType<Date> getPublished() {
		return new InstantType(published);
	}

	@Nonnull
	@Override
	public List<IBaseResource> getResources(int theFromIndex, int theToIndex, @Nonnull ResponsePage.ResponsePageBuilder theResponsePageBuilder) {
		// The page was fetched for exactly this offset and size; HAPI asks for "all of it" in offset mode.
		List<IBaseResource> resources = new ArrayList<>(matches.size() + included.size());
		for (int i = 0; i < matches.size(); i++) {
			IBaseResource resource = parse(matches.get(i));
			if (historyMethods != null) {
				ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.put(resource, BundleEntryTransactionMethodEnum.valueOf(historyMethods.get(i)));
			} else {
				ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(resource, BundleEntrySearchModeEnum.MATCH);
			}
			resources.add(resource);
		}
		for (StoredResource stored : included) {
			IBaseResource resource = parse(stored);
			ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(resource, BundleEntrySearchModeEnum.INCLUDE);
			resources.add(resource);
		}
		theResponsePageBuilder.setIncludedResourceCount(included.size());
		theResponsePageBuilder.setTotalRequestedResourcesFetched(matches.size() + (hasMore ? 1 : 0));
		return resources;
	}

	@Override
	public List<IBaseResource> getResources(int theFromIndex, int theToIndex) {
		return getResources(theFromIndex, theToIndex, new ResponsePage.ResponsePageBuilder());
	}

	private IBaseResource parse(StoredResource stored) {
		return asStored ? StoredJson.view(fhirContext, stored) : fhirContext.newJsonParser().parseResource(stored.json());
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
