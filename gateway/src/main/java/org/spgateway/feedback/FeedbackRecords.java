package org.spgateway.feedback;

import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.JdbcTemplate;

/** Owns table feedback_delivery: each feedback Communication's delivery state, for overdue work. */
public class FeedbackRecords {

	private final JdbcTemplate jdbc;

	public FeedbackRecords(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	void created(String communicationId, String referralId, String taskId, String event, String channel, boolean delivered, Instant at) {
		jdbc.update("INSERT INTO feedback_delivery (communication_id, referral_id, task_id, event, channel, state, created_at, delivered_at)"
				+ " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", communicationId, referralId, taskId, event, channel, delivered ? "in-progress" : "completed",
				Timestamp.from(at), delivered ? null : Timestamp.from(at));
	}

	void state(String communicationId, String state) {
		jdbc.update("UPDATE feedback_delivery SET state = ?, delivered_at = CASE WHEN ? = 'completed' THEN now() ELSE delivered_at END"
				+ " WHERE communication_id = ?", state, state, communicationId);
	}
}
