package org.spgateway.store;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * The {@code searchIndex} component of /actuator/health: whether stored resources are indexed with the
 * search parameters in force, and how far a re-index has got. A re-index does not make the gateway
 * unhealthy (it answers throughout; searches on the changed parameters may miss resources not yet done).
 */
public class SearchIndexHealthIndicator implements HealthIndicator {

	private final SearchReindexer reindexer;

	public SearchIndexHealthIndicator(SearchReindexer reindexer) {
		this.reindexer = reindexer;
	}

	@Override
	public Health health() {
		Map<String, Object> reindexing = new LinkedHashMap<>();
		reindexer.reindexing().forEach((type, progress) -> reindexing.put(type, progress.done() + " of " + progress.total()));
		return Health.up()
				.withDetail("state", reindexer.status())
				.withDetail("reindexing", reindexing)
				.withDetail("reindexedSinceStart", reindexer.reindexed())
				.build();
	}
}
