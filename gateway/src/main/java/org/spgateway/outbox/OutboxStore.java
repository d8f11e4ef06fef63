package org.spgateway.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.spgateway.security.SecretCipher;
import org.spgateway.store.TransactionWrites;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The outbox tables. Every time comparison uses the database clock, so instances with skewed clocks
 * still agree on what is due, what has expired and when to give up.
 */
public class OutboxStore {

	private static final ObjectMapper JSON = new ObjectMapper();
	private static final TypeReference<List<OutboundMessage.Header>> HEADERS = new TypeReference<>() {};
	/** Not delivered yet (pending, held) or given up (failed): these hold back later messages of their ordering key. */
	private static final String OPEN = "('pending', 'held', 'failed')";
	/** The claim (see {@link #claim}); its parameters: the most messages, this instance's name, the lease in milliseconds. */
	static final String CLAIM = "WITH due AS (SELECT m.id FROM outbox_message m"
			+ " WHERE m.state = 'pending' AND m.next_attempt_at <= now() AND (m.leased_until IS NULL OR m.leased_until <= now())"
			// The oldest undelivered message of its key, asked as "the first entry of its key in outbox_message_key_open": a
			// subquery with LIMIT 1 that stays one index descent per candidate. As NOT EXISTS it was an anti-join, which the
			// planner, misjudging how many messages are open, ran over every open message of the channel for each candidate.
			+ " AND m.id = (SELECT e.id FROM outbox_message e WHERE e.ordering_key = m.ordering_key AND e.state IN " + OPEN
			+ "   ORDER BY e.ordering_key, e.id LIMIT 1)"
			// A hashed NOT IN (channel is the suspension table's key, never null), not an anti-join: with a join the planner
			// misjudged the rows left and sorted every due message (230 ms with a backlog of 50,000) instead of reading
			// the due index in order and stopping at the limit (under 1 ms).
			+ " AND m.channel NOT IN (SELECT s.channel FROM outbox_suspension s)"
			+ " ORDER BY m.next_attempt_at, m.id LIMIT ? FOR UPDATE OF m SKIP LOCKED)"
			+ " UPDATE outbox_message o SET attempts = o.attempts + 1, last_attempt_at = now(), claimed_by = ?,"
			+ " claim_token = gen_random_uuid(), leased_until = now() + ? * interval '1 millisecond'"
			+ " FROM due WHERE o.id = due.id"
			// A payload that is a stored version is read from it (rows from before V100 carry their copy), with the patient
			// it is about from the version's index rows, for the delivery's audit event.
			+ " RETURNING o.id, o.channel, o.ordering_key, o.subject, o.method, o.url, o.headers, o.content_type,"
			+ " coalesce(o.body, (SELECT v.content FROM resource_version v WHERE v.res_pk = o.body_res_pk AND v.version = o.body_version)) AS body,"
			+ " o.correlation_id, o.attempts, o.claim_token,"
			+ " (SELECT 'Patient/' || x.target_id FROM idx_reference x WHERE o.body_res_pk IS NOT NULL AND x.res_pk = o.body_res_pk"
			+ " AND x.target_type = 'Patient' AND x.target_id IS NOT NULL LIMIT 1) AS patient";

	private final JdbcTemplate jdbc;

	private final SecretCipher cipher;

	/** @param cipher encrypts the header values rows hold: partners' own tokens, never stored in the clear */
	public OutboxStore(JdbcTemplate jdbc, SecretCipher cipher) {
		this.jdbc = jdbc;
		this.cipher = cipher;
	}

	/** A message an instance has claimed for one delivery attempt. */
	public record Claimed(long id, String channel, String orderingKey, String subject, String method, String url,
			List<OutboundMessage.Header> headers, String contentType, String body, String correlationId, int attempts, UUID claimToken,
			String patient) {

		public Claimed(long id, String channel, String orderingKey, String subject, String method, String url,
				List<OutboundMessage.Header> headers, String contentType, String body, String correlationId, int attempts, UUID claimToken) {
			this(id, channel, orderingKey, subject, method, url, headers, contentType, body, correlationId, attempts, claimToken, null);
		}
	}

	/**
	 * Counts for health and metrics: pending (to be delivered, now or after a back-off), held (in a
	 * suspended channel), failed (given up), and when the oldest pending message was written.
	 */
	public record Stats(long pending, long held, long failed, Instant oldestPending, Instant now) {

		/** Seconds the oldest deliverable message has waited; 0 when there is none. */
		public double oldestPendingAgeSeconds() {
			return oldestPending == null ? 0 : Math.max(0, Duration.between(oldestPending, now).toMillis() / 1000.0);
		}
	}

	// ---------------------------------------------------------------- producers (inside their transaction)

	public void insert(List<OutboundMessage> messages, Duration giveUpAfter) {
		if (messages.isEmpty()) {
			return;
		}
		// A message for a suspended channel is held from the start, to be delivered when the channel is re-driven; one for a
		// channel that is backing off waits for the channel's next attempt instead of failing once more on its own.
		StringBuilder sql = new StringBuilder("INSERT INTO outbox_message (channel, ordering_key, subject, method, url, headers,"
				+ " content_type, body, body_res_pk, body_version, correlation_id, give_up_at, state, next_attempt_at) VALUES ");
		List<Object> args = new ArrayList<>();
		for (int i = 0; i < messages.size(); i++) {
			OutboundMessage m = messages.get(i);
			sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now() + ? * interval '1 millisecond',"
					+ " CASE WHEN EXISTS (SELECT 1 FROM outbox_suspension s WHERE s.channel = ?) THEN 'held' ELSE 'pending' END,"
					// "> now()" lets the planner range-scan the few future entries instead of walking past the dead ones
					// that claims leave at the top of the due index (7 ms per insert with a backlog of 50,000, else 0.2 ms).
					+ " greatest(now(), (SELECT max(w.next_attempt_at) FROM outbox_message w WHERE w.channel = ? AND w.state = 'pending'"
					+ " AND w.next_attempt_at > now() AND w.claim_token IS NULL)))");
			args.add(m.channel());
			args.add(m.orderingKey());
			args.add(m.subject());
			args.add(m.method());
			args.add(m.url());
			args.add(headersJson(m.headers()));
			args.add(m.contentType());
			args.add(m.body());
			args.add(m.stored() == null ? null : m.stored().pk());
			args.add(m.stored() == null ? null : m.stored().version());
			args.add(m.correlationId());
			args.add(giveUpAfter.toMillis());
			args.add(m.channel());
			args.add(m.channel());
		}
		// Joins the transaction's combined write: the change and its messages go to PostgreSQL in one statement.
		TransactionWrites.send(jdbc, sql.toString(), args.toArray());
	}

	/**
	 * Lifts a channel's suspension and makes every undelivered message of it due now, with a fresh
	 * give-up clock. Returns how many messages will be delivered.
	 */
	public int resume(String channel, Duration giveUpAfter) {
		jdbc.update("DELETE FROM outbox_suspension WHERE channel = ?", channel);
		// A message still in flight keeps its lease (leased_until): it must not be claimed twice at once.
		return jdbc.update("UPDATE outbox_message SET state = 'pending', attempts = 0, finished_at = NULL, next_attempt_at = now(),"
				+ " give_up_at = now() + ? * interval '1 millisecond' WHERE channel = ? AND state IN " + OPEN, giveUpAfter.toMillis(), channel);
	}

	/** Cancels every undelivered message of a channel (an in-flight attempt's result is then ignored). */
	public int cancel(String channel) {
		jdbc.update("DELETE FROM outbox_suspension WHERE channel = ?", channel);
		return jdbc.update("UPDATE outbox_message SET state = 'cancelled', finished_at = now(), claim_token = NULL, leased_until = NULL"
				+ " WHERE channel = ? AND state IN " + OPEN, channel);
	}

	/**
	 * Re-addresses a channel's undelivered messages: those sent to {@code oldUrl} go to {@code newUrl},
	 * those sent below it ({@code oldUrl/...}) go below {@code newUrl}; every one gets {@code headers}. A
	 * receiver that moved, or rotated its credentials, gets what was queued for it.
	 */
	public int retarget(String channel, String oldUrl, String newUrl, List<OutboundMessage.Header> headers) {
		String oldBase = stripSlash(oldUrl) + "/";
		String newBase = stripSlash(newUrl) + "/";
		return jdbc.update("UPDATE outbox_message SET headers = ?,"
				+ " url = CASE WHEN url = ? THEN ? WHEN left(url, ?) = ? THEN ? || substr(url, ?) ELSE url END"
				+ " WHERE channel = ? AND state IN " + OPEN,
				headersJson(headers), oldUrl, newUrl, oldBase.length(), oldBase, newBase, oldBase.length() + 1, channel);
	}

	private static String stripSlash(String url) {
		return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
	}

	public boolean isSuspended(String channel) {
		return !jdbc.queryForList("SELECT 1 FROM outbox_suspension WHERE channel = ?", channel).isEmpty();
	}

	/** Undelivered messages of one channel. */
	public long openCount(String channel) {
		Long n = jdbc.queryForObject("SELECT count(*) FROM outbox_message WHERE channel = ? AND state IN " + OPEN, Long.class, channel);
		return n == null ? 0 : n;
	}

	// ---------------------------------------------------------------- delivery

	/**
	 * Claims up to {@code limit} due messages for this instance. Only the oldest undelivered message of
	 * each ordering key can be claimed, and it stays undelivered while claimed, so no instance can take
	 * the next message of a key before the previous one is delivered: order per key holds across
	 * instances. SKIP LOCKED lets concurrent claims from several instances pass each other.
	 *
	 * <p>The claim sets only columns no index holds (the lease is {@code leased_until}, not {@code next_attempt_at}),
	 * so PostgreSQL updates each row in place on its page (HOT) without a new entry in any index.
	 */
	public List<Claimed> claim(int limit, Duration lease, String instance) {
		return jdbc.query(CLAIM, this::claimed, limit, instance, lease.toMillis());
	}

	/** A claimed message its receiver answered 2xx, to be recorded as delivered. */
	public record Answered(Claimed message, int status) {}

	/**
	 * Records deliveries, several in one statement (one commit, however many). A message whose claim was lost meanwhile
	 * (lease expired, channel cancelled) is not recorded. A delivery proves the receiver is up again, so its channel's
	 * messages that were only waiting for it (never tried, or failed for want of an answer: no connection, timeout,
	 * 5xx, 408, 429) become due at once instead of at the end of their back-off. A message the receiver refused for
	 * itself (other 4xx) keeps its own schedule.
	 */
	public Delivered delivered(List<Answered> answered) {
		if (answered.isEmpty()) {
			return new Delivered(Set.of(), false);
		}
		Long[] ids = new Long[answered.size()];
		UUID[] tokens = new UUID[answered.size()];
		Integer[] statuses = new Integer[answered.size()];
		Set<String> channels = new LinkedHashSet<>();
		for (int i = 0; i < ids.length; i++) {
			Answered a = answered.get(i);
			ids[i] = a.message().id();
			tokens[i] = a.message().claimToken();
			statuses[i] = a.status();
			channels.add(a.message().channel());
		}
		// One statement: the messages marked delivered (only with their claim's token), the channels' waiting messages made
		// due, and whether a next message of a delivered one's ordering key waits (only then is there new work for the loop).
		// While no receiver is backing off, the waiting messages are found by one probe of the channel's due index that
		// finds nothing: claims no longer put their lease in next_attempt_at, so no message in flight is passed over there.
		String sql = "WITH a AS (SELECT * FROM unnest(?::bigint[], ?::uuid[], ?::integer[]) AS a(id, token, status)),"
				+ " done AS (UPDATE outbox_message o SET state = 'delivered', finished_at = now(), last_status = a.status, last_error = NULL,"
				+ " claim_token = NULL, leased_until = NULL FROM a WHERE o.id = a.id AND o.claim_token = a.token RETURNING o.id, o.ordering_key),"
				+ " nudged AS (UPDATE outbox_message SET next_attempt_at = now() WHERE id IN (SELECT id FROM outbox_message"
				+ " WHERE channel = ANY (?::text[]) AND state = 'pending' AND next_attempt_at > now() AND claim_token IS NULL"
				+ " AND (last_status IS NULL OR last_status >= 500 OR last_status IN (408, 429)) FOR UPDATE SKIP LOCKED) RETURNING id)"
				+ " SELECT done.id, EXISTS (SELECT 1 FROM nudged) OR EXISTS (SELECT 1 FROM outbox_message e"
				+ " WHERE e.ordering_key = done.ordering_key AND e.id > done.id AND e.state = 'pending') FROM done";
		return jdbc.execute((Connection c) -> {
			try (PreparedStatement ps = c.prepareStatement(sql)) {
				ps.setArray(1, c.createArrayOf("bigint", ids));
				ps.setArray(2, c.createArrayOf("uuid", tokens));
				ps.setArray(3, c.createArrayOf("integer", statuses));
				ps.setArray(4, c.createArrayOf("text", channels.toArray()));
				Set<Long> recorded = new HashSet<>();
				boolean freed = false;
				try (ResultSet rs = ps.executeQuery()) {
					while (rs.next()) {
						recorded.add(rs.getLong(1));
						freed |= rs.getBoolean(2);
					}
				}
				return new Delivered(recorded, freed);
			}
		});
	}

	/**
	 * What recording deliveries found: which were recorded (a message is missing when its claim was lost meanwhile), and
	 * whether other messages became deliverable by them (the next of an ordering key, or a channel's messages that waited).
	 */
	public record Delivered(Set<Long> recorded, boolean freedOthers) {}

	/** What became of a failed attempt. */
	public enum AfterFailure { RETRY, GAVE_UP, LOST }

	/**
	 * Records a failed attempt. The message is retried after {@code delay}, but never later than its
	 * give-up time, so that the last attempt happens when that time comes; if the give-up time has
	 * passed, it fails. The rest of its channel waits as long: one failing receiver gets one probe per
	 * back-off period, not one per queued message. Must run in the transaction that suspends the
	 * channel after a give-up.
	 */
	public AfterFailure failed(Claimed m, Integer status, String error, Duration delay) {
		List<Object[]> result = jdbc.query("UPDATE outbox_message SET last_status = ?, last_error = ?, claim_token = NULL, leased_until = NULL,"
				+ " state = CASE WHEN state = 'held' THEN 'held' WHEN now() >= give_up_at THEN 'failed' ELSE 'pending' END,"
				+ " finished_at = CASE WHEN state <> 'held' AND now() >= give_up_at THEN now() END,"
				+ " next_attempt_at = LEAST(now() + ? * interval '1 millisecond', give_up_at)"
				+ " WHERE id = ? AND claim_token = ? RETURNING state, next_attempt_at",
				(rs, n) -> new Object[] {rs.getString(1), rs.getTimestamp(2)}, status, error, delay.toMillis(), m.id(), m.claimToken());
		if (result.isEmpty()) {
			return AfterFailure.LOST;
		}
		String state = (String) result.get(0)[0];
		if ("failed".equals(state)) {
			return AfterFailure.GAVE_UP;
		}
		// SKIP LOCKED: rows another transaction is changing (a re-drive, a give-up) are theirs to schedule; never wait for them.
		// Only messages due earlier are moved, so the cost follows what changes, not the channel's backlog.
		jdbc.update("UPDATE outbox_message SET next_attempt_at = ? WHERE id IN (SELECT id FROM outbox_message"
				+ " WHERE channel = ? AND state = 'pending' AND next_attempt_at < ? AND claim_token IS NULL AND id <> ? FOR UPDATE SKIP LOCKED)",
				result.get(0)[1], m.channel(), result.get(0)[1], m.id());
		return AfterFailure.RETRY;
	}

	/** Whether a failed attempt now would make the message give up (same clock as {@link #failed}, within one transaction). */
	public boolean pastGiveUp(Claimed m) {
		Boolean past = jdbc.queryForObject("SELECT now() >= give_up_at FROM outbox_message WHERE id = ?", Boolean.class, m.id());
		return Boolean.TRUE.equals(past);
	}

	/** Stops delivery on a channel: its undelivered messages are held until it is resumed or cancelled. */
	public void suspend(String channel, String reason) {
		jdbc.update("INSERT INTO outbox_suspension (channel, reason) VALUES (?, ?) ON CONFLICT (channel) DO NOTHING", channel, reason);
		jdbc.update("UPDATE outbox_message SET state = 'held' WHERE channel = ? AND state = 'pending'", channel);
	}

	/** Gives a claimed message back unattempted (shutdown): due at once, on any instance. */
	public void release(Claimed m) {
		// A claimed message was due when it was claimed, so it is due now: only its lease ends (an update in place, like the claim).
		jdbc.update("UPDATE outbox_message SET leased_until = NULL, claim_token = NULL, attempts = greatest(attempts - 1, 0)"
				+ " WHERE id = ? AND claim_token = ?", m.id(), m.claimToken());
	}

	/** Deletes up to {@code batch} delivered or cancelled messages finished before the retention period. */
	public int prune(Duration retention, int batch) {
		return jdbc.update("DELETE FROM outbox_message WHERE id IN (SELECT id FROM outbox_message WHERE state IN ('delivered', 'cancelled')"
				+ " AND finished_at < now() - ? * interval '1 millisecond' LIMIT ?)", retention.toMillis(), batch);
	}

	public Stats stats() {
		return jdbc.queryForObject("SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'held'),"
				+ " count(*) FILTER (WHERE state = 'failed'), min(created_at) FILTER (WHERE state = 'pending'), now()"
				+ " FROM outbox_message WHERE state IN " + OPEN,
				(rs, n) -> new Stats(rs.getLong(1), rs.getLong(2), rs.getLong(3), instant(rs.getTimestamp(4)), instant(rs.getTimestamp(5))));
	}

	// ---------------------------------------------------------------- internals

	private Claimed claimed(ResultSet rs, int row) throws SQLException {
		return new Claimed(rs.getLong("id"), rs.getString("channel"), rs.getString("ordering_key"), rs.getString("subject"),
				rs.getString("method"), rs.getString("url"), headers(rs.getString("headers")), rs.getString("content_type"),
				rs.getString("body"), rs.getString("correlation_id"), rs.getInt("attempts"), rs.getObject("claim_token", UUID.class),
				rs.getString("patient"));
	}

	private static Instant instant(Timestamp t) {
		return t == null ? null : t.toInstant();
	}

	private String headersJson(List<OutboundMessage.Header> headers) {
		try {
			List<OutboundMessage.Header> sealed = headers == null ? List.of()
					: headers.stream().map(h -> new OutboundMessage.Header(h.name(), cipher.encrypt(h.value()))).toList();
			return JSON.writeValueAsString(sealed);
		} catch (JsonProcessingException e) {
			throw new IllegalStateException(e);
		}
	}

	/** Rows written before header values were encrypted hold them in the clear, and are read as they are. */
	private List<OutboundMessage.Header> headers(String json) {
		try {
			List<OutboundMessage.Header> stored = JSON.readValue(json, HEADERS);
			return stored.stream()
					.map(h -> SecretCipher.isSealed(h.value()) ? new OutboundMessage.Header(h.name(), cipher.decrypt(h.value())) : h).toList();
		} catch (JsonProcessingException e) {
			throw new IllegalStateException("Unreadable outbox headers", e);
		}
	}
}
