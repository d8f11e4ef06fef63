package org.spgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.resources.ResourceService;
import org.spgateway.security.AccessPolicy;
import org.spgateway.security.AccessScope;
import org.spgateway.security.Caller;
import org.spgateway.security.OrganisationId;
import org.spgateway.security.Role;
import org.spgateway.testsupport.GatewayServer;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The provider's work queue at scale, under the provider's own access predicate: 30,000 requested Tasks owned by one
 * provider (written straight into the store's tables with their index and access rows; through the API this would take
 * many minutes), then the plan PostgreSQL picks for the very statement the store runs for a page of the queue, and the
 * page it returns.
 */
class WorkQueuePlanIT {

	private static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	private static final int TASKS = 30_000;
	private static GatewayServer gateway;
	private static JdbcTemplate jdbc;
	private static ResourceStore store;
	private static SearchRequest queue;

	@BeforeAll
	static void start() {
		gateway = GatewayServer.start();
		jdbc = gateway.bean(JdbcTemplate.class);
		store = gateway.bean(ResourceStore.class);
		jdbc.update("INSERT INTO resource (res_pk, res_type, res_id, version, last_updated)"
				+ " SELECT 20000000 + n, 'Task', 'queue-' || n, 1, now() - (" + TASKS + " - n) * interval '1 second'"
				+ " FROM generate_series(1, ?) n", TASKS);
		jdbc.update("INSERT INTO resource_version (res_pk, version, last_updated, method, content)"
				+ " SELECT 20000000 + n, 1, now(), 'POST', '{\"resourceType\":\"Task\",\"id\":\"queue-' || n || '\"}'"
				+ " FROM generate_series(1, ?) n", TASKS);
		jdbc.update("INSERT INTO idx_reference (res_pk, res_type, param, target_type, target_id, ident_system, ident_value)"
				+ " SELECT 20000000 + n, 'Task', 'owner', 'Organization', 'ods-X99901', '" + ODS + "', 'X99901' FROM generate_series(1, ?) n", TASKS);
		jdbc.update("INSERT INTO idx_token (res_pk, res_type, param, system, code)"
				+ " SELECT 20000000 + n, 'Task', 'status', 'http://hl7.org/fhir/task-status', 'requested' FROM generate_series(1, ?) n", TASKS);
		// The provider sees its Tasks and, as in a real store, their referrals and provenance (three access rows a referral).
		jdbc.update("INSERT INTO resource_access (res_pk, org_key) SELECT 20000000 + n, '" + ODS + "|X99901' FROM generate_series(1, ?) n", TASKS);
		jdbc.update("INSERT INTO resource (res_pk, res_type, res_id, version, last_updated)"
				+ " SELECT 30000000 + n, 'ServiceRequest', 'referral-' || n, 1, now() FROM generate_series(1, ?) n", 2 * TASKS);
		jdbc.update("INSERT INTO resource_access (res_pk, org_key) SELECT 30000000 + n, '" + ODS + "|X99901' FROM generate_series(1, ?) n",
				2 * TASKS);
		jdbc.execute("ANALYZE");
		queue = gateway.bean(ResourceService.class).parseSearch("Task", Map.of("owner:identifier", new String[] {ODS + "|X99901"},
				"status", new String[] {"requested"}, "_sort", new String[] {"-_lastUpdated"}), false);
	}

	@AfterAll
	static void stop() {
		gateway.close();
	}

	@Test
	void theQueueUnderTheProvidersPredicateWalksTheNewestTasksAndProbesAccessRowByRow() {
		ResourceStore.Statement page = store.pageStatement(queue, scopeOf("X99901"));
		String plan = String.join("\n", jdbc.queryForList("EXPLAIN (ANALYZE, COSTS OFF) " + page.sql(), String.class, page.args().toArray()));
		assertThat(plan).contains("Index Only Scan Backward using resource_type_updated").containsPattern("Index (Only )?Scan using resource_access_")
				.doesNotContain("hashed").doesNotContain("Seq Scan on resource_access").doesNotContain("Workers Planned");
	}

	@Test
	void theQueuePageIsTheProvidersNewestTwentyTasks() {
		SearchPage page = store.search(queue, scopeOf("X99901"), 0, 0);
		assertThat(page.matches()).hasSize(20);
		assertThat(page.matches().get(0).id()).isEqualTo("queue-" + TASKS);
		assertThat(page.matches().get(19).id()).isEqualTo("queue-" + (TASKS - 19));
		assertThat(page.hasMore()).isTrue();
	}

	@Test
	void anotherProviderSeesNoneOfTheQueue() {
		SearchPage page = store.search(queue, scopeOf("X99902"), 0, 0);
		assertThat(page.matches()).isEmpty();
		assertThat(page.hasMore()).isFalse();
	}

	private static AccessScope scopeOf(String ods) {
		Caller caller = new Caller("queue-" + ods, Role.PROVIDER, List.of(new OrganisationId(ODS, ods)), Set.of(), false);
		return new AccessPolicy(false).scopeFor(caller);
	}
}
