package org.spgateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What claiming and recording cost PostgreSQL (issue 14): a claim updates its rows in place (HOT), reads the due index in
 * order however lopsided the table's statistics, and several deliveries are recorded in one statement, each only with its
 * claim's token. Delivery is off on this gateway, so its loop takes none of the rows written here.
 */
class OutboxClaimsIT {

	static final Duration LEASE = Duration.ofMinutes(1);
	static GatewayServer gateway;
	static JdbcTemplate jdbc;
	static OutboxStore store;
	static TransactionTemplate transactions;

	@BeforeAll
	static void start() {
		gateway = GatewayServer.start("gateway.notifications.delivery.enabled=false");
		jdbc = gateway.bean(JdbcTemplate.class);
		store = gateway.bean(OutboxStore.class);
		transactions = new TransactionTemplate(gateway.bean(PlatformTransactionManager.class));
	}

	@AfterAll
	static void stop() {
		gateway.close();
	}

	@Test
	void aClaimUpdatesItsMessagesInPlaceWithoutNewIndexEntries() {
		Map<String, Object> counts = transactions.execute(tx -> {
			tx.setRollbackOnly();
			String channel = "Subscription/hot-" + UUID.randomUUID();
			insertPending(channel, 3, "k");
			// Counts this connection has not reported yet, before and after the claim.
			String sql = "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'outbox_message'";
			Map<String, Object> before = jdbc.queryForMap(sql);
			assertThat(store.claim(3, LEASE, "test")).hasSize(3);
			Map<String, Object> after = jdbc.queryForMap(sql);
			return Map.<String, Object>of("updated", (Long) after.get("n_tup_upd") - (Long) before.get("n_tup_upd"),
					"hot", (Long) after.get("n_tup_hot_upd") - (Long) before.get("n_tup_hot_upd"));
		});
		assertThat(counts).containsEntry("updated", 3L).containsEntry("hot", 3L);
	}

	@Test
	void aClaimReadsTheDueIndexInOrderWhenStatisticsWereTakenWhileEverythingWasDelivered() {
		String plan = transactions.execute(tx -> {
			tx.setRollbackOnly();
			String channel = "Subscription/plan-" + UUID.randomUUID();
			jdbc.update("INSERT INTO outbox_message (channel, ordering_key, subject, method, url, correlation_id, give_up_at, state, finished_at)"
					+ " SELECT ?, ? || '|done-' || g, 'Task/done', 'PUT', 'http://127.0.0.1:1/x', 'c', now(), 'delivered', now()"
					+ " FROM generate_series(1, 20000) g", channel, channel);
			jdbc.execute("ANALYZE outbox_message");
			// A burst after the statistics were taken: 3,000 pending, one per resource, in one channel.
			insertPending(channel, 3000, "burst");
			return String.join("\n", jdbc.queryForList("EXPLAIN " + OutboxStore.CLAIM, String.class, 4, "test", LEASE.toMillis()));
		});
		// Planned as if one message were pending, the claim compared each pending message with every other (seconds).
		assertThat(plan).as(plan).contains("Index Scan using outbox_message_due").contains("using outbox_message_key_open")
				.doesNotContain("Sort Key").doesNotContain("Anti Join");
	}

	@Test
	void deliveriesAnsweredTogetherAreRecordedInOneStatementEachWithItsOwnClaim() {
		String channel = "Subscription/batch-" + UUID.randomUUID();
		insertPending(channel, 3, "r");
		// The next message of r0's key waits for r0.
		jdbc.update("INSERT INTO outbox_message (channel, ordering_key, subject, method, url, correlation_id, give_up_at)"
				+ " VALUES (?, ? || '|r0', 'Task/next', 'PUT', 'http://127.0.0.1:1/x', 'c', now() + interval '1 day')", channel, channel);
		List<OutboxStore.Claimed> claimed = store.claim(10, LEASE, "test").stream().filter(m -> m.channel().equals(channel)).toList();
		assertThat(claimed).hasSize(3);
		OutboxStore.Claimed lost = claimed.get(2);
		OutboxStore.Claimed stale = new OutboxStore.Claimed(lost.id(), lost.channel(), lost.orderingKey(), lost.subject(), lost.method(),
				lost.url(), lost.headers(), lost.contentType(), lost.body(), lost.correlationId(), lost.attempts(), UUID.randomUUID());

		OutboxStore.Delivered done = store.delivered(List.of(new OutboxStore.Answered(claimed.get(0), 200),
				new OutboxStore.Answered(claimed.get(1), 204), new OutboxStore.Answered(stale, 200)));

		assertThat(done.recorded()).containsExactlyInAnyOrder(claimed.get(0).id(), claimed.get(1).id());
		assertThat(done.freedOthers()).isTrue();
		assertThat(jdbc.queryForList("SELECT state || ' ' || coalesce(last_status::text, '-') || ' ' || (claim_token IS NULL)"
				+ " FROM outbox_message WHERE channel = ? ORDER BY id", String.class, channel))
				.containsExactly("delivered 200 true", "delivered 204 true", "pending - false", "pending - true");
	}

	/** {@code count} due messages of {@code channel}, each about its own resource (ordering keys prefix0, prefix1 ...). */
	private static void insertPending(String channel, int count, String prefix) {
		jdbc.update("INSERT INTO outbox_message (channel, ordering_key, subject, method, url, correlation_id, give_up_at)"
				+ " SELECT ?, ? || '|' || ? || (g - 1), 'Task/' || g, 'PUT', 'http://127.0.0.1:1/x', 'c', now() + interval '1 day'"
				+ " FROM generate_series(1, ?) g", channel, channel, prefix, count);
	}
}
