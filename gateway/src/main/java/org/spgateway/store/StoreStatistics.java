package org.spgateway.store;

import java.util.stream.Stream;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Refreshes the planner's statistics of the store's tables after a bulk load, as bulk loaders do.
 *
 * <p>Why: autovacuum analyzes a table only after a share of it has changed and then on its own schedule, minutes later. Until then
 * the planner plans the provider's work queue from what the tables held before the load: with no statistics at all (a store loaded
 * from empty, 100,000 Tasks) a page in the default order ran for more than ten minutes (docs/performance.md, "The work queue after a
 * bulk load, and a page in the default order").
 */
public final class StoreStatistics {

	/** The tables a search plans from: the head rows, the access rows, every index table. */
	static final String TABLES = String.join(", ", Stream.concat(Stream.of("resource", "resource_access"),
			ResourceStore.INDEX_TABLES.stream()).toList());

	private final JdbcTemplate jdbc;

	public StoreStatistics(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** ANALYZE of the search tables (a sample of each, a few seconds at 250,000 referrals); outside any transaction of the caller's. */
	public void refresh() {
		jdbc.execute("ANALYZE " + TABLES);
	}
}
