package org.spgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
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
	/**
	 * Other resources the provider sees, as in a store of imported referrals where a Task is one resource in ten or more: the
	 * planner then counts a Task's own check (res_type) against a share of the whole table as well.
	 */
	private static final int OTHERS = 12 * TASKS;
	private static final ObjectMapper JSON = new ObjectMapper();
	private static GatewayServer gateway;
	private static JdbcTemplate jdbc;
	private static ResourceStore store;
	private static SearchRequest queue;
	private static SearchRequest inKeyOrder;

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
		// The provider sees its Tasks and, as in a real store, the other resources of its referrals.
		jdbc.update("INSERT INTO resource_access (res_pk, org_key) SELECT 20000000 + n, '" + ODS + "|X99901' FROM generate_series(1, ?) n", TASKS);
		jdbc.update("INSERT INTO resource (res_pk, res_type, res_id, version, last_updated)"
				+ " SELECT 30000000 + n, 'ServiceRequest', 'referral-' || n, 1, now() FROM generate_series(1, ?) n", OTHERS);
		jdbc.update("INSERT INTO resource_access (res_pk, org_key) SELECT 30000000 + n, '" + ODS + "|X99901' FROM generate_series(1, ?) n",
				OTHERS);
		// What else a referral writes in the same tables (its requester on the Task, the referral's performer): with them the planner,
		// multiplying the selectivities of owner and status as if independent, expects far fewer matches than there are.
		jdbc.update("INSERT INTO idx_reference (res_pk, res_type, param, ident_system, ident_value)"
				+ " SELECT 20000000 + n, 'Task', 'requester', '" + ODS + "', 'A99901' FROM generate_series(1, ?) n", TASKS);
		jdbc.update("INSERT INTO idx_reference (res_pk, res_type, param, ident_system, ident_value)"
				+ " SELECT 30000000 + n, 'ServiceRequest', 'performer', '" + ODS + "', 'X99901' FROM generate_series(1, ?) n", OTHERS);
		jdbc.update("INSERT INTO idx_token (res_pk, res_type, param, system, code)"
				+ " SELECT 20000000 + n, 'Task', 'intent', 'http://hl7.org/fhir/request-intent', 'order' FROM generate_series(1, ?) n", TASKS);
		jdbc.update("INSERT INTO idx_token (res_pk, res_type, param, system, code)"
				+ " SELECT 30000000 + n, 'ServiceRequest', 'status', 'http://hl7.org/fhir/request-status', 'active' FROM generate_series(1, ?) n",
				OTHERS);
		jdbc.execute("ANALYZE");
		// Status first, as a client may send it: the walk still starts from the owner's rows, which its index gives in key order.
		Map<String, String[]> parameters = new LinkedHashMap<>();
		parameters.put("status", new String[] {"requested"});
		parameters.put("owner:identifier", new String[] {ODS + "|X99901"});
		inKeyOrder = gateway.bean(ResourceService.class).parseSearch("Task", parameters, false);
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
	void theSortedQueueWalksTheNewestTasksAndReadsAPageOfThemNotEveryMatch() throws Exception {
		SearchSql.Walk walk = ResourceStore.headWalk(queue, scopeOf("X99901"));
		assertThat(walk).isNotNull();
		ResourceStore.Statement page = ResourceStore.walkStatement(walk, queue);
		String plan = jdbc.queryForObject("EXPLAIN (ANALYZE, FORMAT JSON) " + page.sql(), String.class, page.args().toArray());
		assertThat(plan).contains("resource_type_updated").doesNotContain("\"Sort\"");
		assertThat(indexRowsRead(JSON.readTree(plan).get(0).get("Plan"))).as(plan).isLessThan(1_000);
	}

	@Test
	void aSortedPageWalkedFromTheHeadRowsIsThePlannersPage() {
		AccessScope provider = scopeOf("X99901");
		for (String sort : List.of("-_lastUpdated", "_lastUpdated", "_id", "-_id", "-_lastUpdated,_id")) {
			for (int offset : List.of(0, 40)) {
				SearchRequest sorted = gateway.bean(ResourceService.class).parseSearch("Task", Map.of("owner:identifier",
						new String[] {ODS + "|X99901"}, "status", new String[] {"requested"}, "_sort", new String[] {sort}), false);
				sorted = new SearchRequest(sorted.resourceType(), sorted.clauses(), sorted.sort(), offset, 20, sorted.total(), sorted.includes(),
						sorted.revIncludes());
				ResourceStore.Statement planners = store.pageStatement(sorted, provider);
				List<String> expected = jdbc.query(planners.sql(), (rs, n) -> rs.getString("res_id"), planners.args().toArray());
				assertThat(store.search(sorted, provider, 0, 0).matches()).as(sort + " from " + offset).extracting(StoredResource::id)
						.containsExactlyElementsOf(expected.subList(0, 20));
			}
		}
	}

	@Test
	void aSortedSearchWhoseMatchesAreNotAmongTheNewestGivesWayToThePlannersSearch() {
		// The owner has 30,000 Tasks, so the walk starts from the newest; the one asked for is far down and found by the planner's search.
		SearchRequest old = gateway.bean(ResourceService.class).parseSearch("Task", Map.of("owner:identifier", new String[] {ODS + "|X99901"},
				"_id", new String[] {"queue-100"}, "_sort", new String[] {"-_lastUpdated"}), false);
		assertThat(store.search(old, scopeOf("X99901"), 0, 0).matches()).extracting(StoredResource::id).containsExactly("queue-100");
		assertThat(store.search(old, scopeOf("X99902"), 0, 0).matches()).isEmpty();
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

	@Test
	void theQueueInTheDefaultOrderReadsAPageOfIndexRowsNotEveryMatch() throws Exception {
		ResourceStore.Statement page = ResourceStore.walkStatement(ResourceStore.walk(inKeyOrder, scopeOf("X99901")), inKeyOrder);
		String plan = jdbc.queryForObject("EXPLAIN (ANALYZE, FORMAT JSON) " + page.sql(), String.class, page.args().toArray());
		// Every index row any node read, loops counted: the page's 21 Tasks and their probes, whatever the planner expected.
		long read = indexRowsRead(JSON.readTree(plan).get(0).get("Plan"));
		assertThat(read).as(plan).isLessThan(1_000);
	}

	@Test
	void theQueueInTheDefaultOrderIsTheProvidersFirstTwentyTasksThenTheNext() {
		SearchPage first = store.search(inKeyOrder, scopeOf("X99901"), 0, 0);
		assertThat(first.matches()).extracting(StoredResource::id).first().isEqualTo("queue-1");
		assertThat(first.matches()).extracting(StoredResource::id).last().isEqualTo("queue-20");
		assertThat(first.hasMore()).isTrue();
		SearchRequest next = new SearchRequest(inKeyOrder.resourceType(), inKeyOrder.clauses(), inKeyOrder.sort(), 20, 20, inKeyOrder.total(),
				inKeyOrder.includes(), inKeyOrder.revIncludes());
		assertThat(store.search(next, scopeOf("X99901"), 0, 0).matches()).extracting(StoredResource::id).first().isEqualTo("queue-21");
		assertThat(store.search(inKeyOrder, scopeOf("X99902"), 0, 0).matches()).isEmpty();
	}

	@Test
	void aWalkThatFindsTooFewMatchesGivesWayToThePlannersSearchAndStillFindsThem() {
		// Owner first (30,000 rows), then one Task's id: the walk reads its bound of owner rows and finds none, the planner's search does.
		SearchRequest one = gateway.bean(ResourceService.class).parseSearch("Task", Map.of("owner:identifier", new String[] {ODS + "|X99901"},
				"_id", new String[] {"queue-29000"}), false);
		SearchPage page = store.search(one, scopeOf("X99901"), 0, 0);
		assertThat(page.matches()).extracting(StoredResource::id).containsExactly("queue-29000");
		assertThat(page.hasMore()).isFalse();
	}

	private static long indexRowsRead(JsonNode node) {
		long read = 0;
		String type = node.path("Node Type").asText();
		if (type.startsWith("Index") || type.startsWith("Bitmap Index")) {
			read += node.path("Actual Rows").asLong() * Math.max(1, node.path("Actual Loops").asLong());
		}
		for (JsonNode child : node.path("Plans")) {
			read += indexRowsRead(child);
		}
		return read;
	}

	private static AccessScope scopeOf(String ods) {
		Caller caller = new Caller("queue-" + ods, Role.PROVIDER, List.of(new OrganisationId(ODS, ods)), Set.of(), false);
		return new AccessPolicy(false).scopeFor(caller);
	}
}
