package org.spgateway.store;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * The {@code searchIndex} component of /actuator/health: whether stored resources are indexed with the
 * search parameters in force, and how far a re-index has got. A re-index does not make the gateway
 * unhealthy (it answers throughout; searches on the changed parameters may miss resources not yet done).
 * {@code indexFailuresSinceStart} counts, per parameter, resources stored without that parameter's index
 * because its expression failed on them.
 */
public class SearchIndexHealthIndicator implements HealthIndicator {

	private final SearchReindexer reindexer;
	private final SearchIndexer indexer;

	public SearchIndexHealthIndicator(SearchReindexer reindexer, SearchIndexer indexer) {
		this.reindexer = reindexer;
		this.indexer = indexer;
	}

	@Override
	public Health health() {
		Map<String, Object> reindexing = new LinkedHashMap<>();
		reindexer.reindexing().forEach((type, progress) -> reindexing.put(type, progress.done() + " of " + progress.total()));
		return Health.up()
				.withDetail("state", reindexer.status())
				.withDetail("reindexing", reindexing)
				.withDetail("reindexedSinceStart", reindexer.reindexed())
				.withDetail("indexFailuresSinceStart", indexer.failures())
				.build();
	}
}
