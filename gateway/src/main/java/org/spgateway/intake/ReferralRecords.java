package org.spgateway.intake;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.spgateway.store.TransactionWrites;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The intake's own bookkeeping (tables referral_intake and bars_message): which referral a sender's
 * identifier stands for, and what a BaRS message was answered. Always written in the transaction that
 * stores the referral.
 */
public class ReferralRecords {

	private final JdbcTemplate jdbc;

	public ReferralRecords(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** How a sender identifies a referral: the referring organisation and the referral's identifier. */
	public record Key(String referrer, String system, String value) {

		public String describe() {
			return system + "|" + value + ("-".equals(referrer) ? "" : " from " + referrer);
		}
	}

	public record Referral(Key key, String fingerprint, String serviceRequestId, String taskId) {}

	public record Message(String bundleId, String fingerprint, String serviceRequestId, String response) {}

	public Optional<Referral> find(Key key) {
		// referral_intake is written only by immediate statements (insert below), never by the transaction's held writes.
		return TransactionWrites.independently(() -> first(jdbc.query("SELECT fingerprint, service_request_id, task_id FROM referral_intake"
				+ " WHERE referrer_key = ? AND identifier_system = ? AND identifier_value = ?",
				(rs, n) -> new Referral(key, rs.getString(1), rs.getString(2), rs.getString(3)), key.referrer(), key.system(), key.value())));
	}

	public Optional<Referral> findByServiceRequest(String serviceRequestId) {
		return first(jdbc.query("SELECT referrer_key, identifier_system, identifier_value, fingerprint, task_id FROM referral_intake"
				+ " WHERE service_request_id = ?", (rs, n) -> new Referral(new Key(rs.getString(1), rs.getString(2), rs.getString(3)),
						rs.getString(4), serviceRequestId, rs.getString(5)), serviceRequestId));
	}

	/** The referral a Task was created for, when intake created it (a referral's or an onward referral's Task). */
	public Optional<Referral> findByTask(String taskId) {
		return first(jdbc.query("SELECT referrer_key, identifier_system, identifier_value, fingerprint, service_request_id FROM referral_intake"
				+ " WHERE task_id = ?", (rs, n) -> new Referral(new Key(rs.getString(1), rs.getString(2), rs.getString(3)),
						rs.getString(4), rs.getString(5), taskId), taskId));
	}

	/**
	 * Records a new referral; false when the key is taken (a concurrent insert of the same key waits for
	 * the other transaction and then finds it taken).
	 */
	public boolean insert(Referral referral) {
		// Its answer decides between a new referral and a resend, so it runs at once; it needs nothing the transaction holds.
		return TransactionWrites.independently(() -> jdbc.update("INSERT INTO referral_intake (referrer_key, identifier_system, identifier_value,"
				+ " fingerprint, service_request_id, task_id) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", referral.key().referrer(),
				referral.key().system(), referral.key().value(), referral.fingerprint(), referral.serviceRequestId(), referral.taskId()) == 1);
	}

	public Optional<Message> findMessage(String bundleId) {
		return first(jdbc.query("SELECT fingerprint, service_request_id, response FROM bars_message WHERE bundle_id = ?",
				(rs, n) -> new Message(bundleId, rs.getString(1), rs.getString(2), rs.getString(3)), bundleId));
	}

	/** False when another transaction has recorded the same Bundle id meanwhile. */
	public boolean insertMessage(Message message) {
		return jdbc.update("INSERT INTO bars_message (bundle_id, fingerprint, service_request_id, response) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
				message.bundleId(), message.fingerprint(), message.serviceRequestId(), message.response()) == 1;
	}

	/** Deletes up to {@code batch} message answers (and as many request ids) received longer ago than {@code retention}; returns how many. */
	public int forgetMessages(Duration retention, int batch) {
		int requests = jdbc.update("DELETE FROM bars_request WHERE request_id IN (SELECT request_id FROM bars_request"
				+ " WHERE received_at < now() - ? * interval '1 millisecond' LIMIT ?)", retention.toMillis(), batch);
		int messages = jdbc.update("DELETE FROM bars_message WHERE bundle_id IN (SELECT bundle_id FROM bars_message"
				+ " WHERE received_at < now() - ? * interval '1 millisecond' LIMIT ?)", retention.toMillis(), batch);
		return Math.max(requests, messages);
	}

	/** A BaRS request the gateway processed: the sender's X-Request-Id, the message's fingerprint and Bundle id. */
	public record Request(String requestId, String fingerprint, String bundleId) {}

	public Optional<Request> findRequest(String requestId) {
		return first(jdbc.query("SELECT fingerprint, bundle_id FROM bars_request WHERE request_id = ?",
				(rs, n) -> new Request(requestId, rs.getString(1), rs.getString(2)), requestId));
	}

	/** False when the request id is taken (a concurrent insert waits for the other transaction, then finds it taken). */
	public boolean insertRequest(Request request) {
		return jdbc.update("INSERT INTO bars_request (request_id, fingerprint, bundle_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
				request.requestId(), request.fingerprint(), request.bundleId()) == 1;
	}

	private static <T> Optional<T> first(List<T> rows) {
		return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
	}
}
