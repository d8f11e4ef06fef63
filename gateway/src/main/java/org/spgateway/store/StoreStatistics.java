package org.spgateway.store;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Refreshes the planner's statistics of the store's tables after a bulk load, as bulk loaders do.
 *
 * <p>Why: autovacuum analyzes a table only after a share of it has changed and then on its own schedule, minutes later. Until then
 * the planner plans the provider's work queue from what the tables held before the load: right after a {@code $import} of 25,000
 * referrals into an empty store the queue answered 6 a second with a p99 of 1.7 s, and 7-25 ms once autovacuum had analyzed; with no
 * statistics at all (a store loaded from empty, 100,000 Tasks) the same page ran for more than ten minutes (docs/performance.md,
 * "The work queue after a bulk load, and a page in the default order").
 */
public final class StoreStatistics {

	/** The tables a search plans from: the head rows, every index table, the access rows. */
	static final String TABLES =
			"resource, resource_access, idx_token, idx_string, idx_reference, idx_date, idx_number, idx_quantity, idx_uri";

	private final JdbcTemplate jdbc;

	public StoreStatistics(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** ANALYZE of the search tables (a sample of each, a few seconds at 250,000 referrals); outside any transaction of the caller's. */
	public void refresh() {
		jdbc.execute("ANALYZE " + TABLES);
	}
}
