package org.spgateway.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.model.valueset.BundleEntryTransactionMethodEnum;
import ca.uhn.fhir.rest.server.method.ResponsePage;
import jakarta.annotation.Nonnull;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.spgateway.store.HistoryEntry;
import org.spgateway.store.StoredResource;

/** One page of stored resources, search matches and includes or a resource's versions ({@link OffsetPage}). */
final class StoredBundleProvider extends OffsetPage {

	private final FhirContext fhirContext;
	private final List<StoredResource> matches;
	private final List<StoredResource> included;
	/** For a history page: the HTTP verb that wrote each of {@link #matches}; null for a search page. */
	private final List<String> historyMethods;
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
		super(offset, pageSize, hasMore, total);
		this.historyMethods = historyMethods;
		this.asStored = asStored;
		this.fhirContext = fhirContext;
		this.matches = matches;
		this.included = included;
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
		theResponsePageBuilder.setTotalRequestedResourcesFetched(matches.size() + (hasMore() ? 1 : 0));
		return resources;
	}

	private IBaseResource parse(StoredResource stored) {
		return asStored ? StoredJson.entryView(fhirContext, stored) : fhirContext.newJsonParser().parseResource(stored.json());
	}
}
