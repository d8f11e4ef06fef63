package org.spgateway.store;

import java.util.List;

/** One page of search results: the matches, what _include/_revinclude pulled in, and whether more follow. */
public record SearchPage(List<StoredResource> matches, List<StoredResource> included, boolean hasMore, Integer total) {}
