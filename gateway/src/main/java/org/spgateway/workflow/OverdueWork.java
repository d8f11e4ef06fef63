package org.spgateway.workflow;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.spgateway.security.AccessScope;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Work past its time, for one provider or for all: referrals not answered by the service's response
 * deadline, accepted referrals with no contact after {@code gateway.workflow.contact-within}, onward
 * referrals with no outcome after {@code onward-outcome-within}, outcome reviews due (the
 * outcome_review table $reviews-due reads), and feedback the referrer has not received after
 * {@code feedback-within} (table feedback_delivery, which the feedback capability keeps). One query,
 * oldest first.
 */
public class OverdueWork {

	/** One overdue item: what kind, on which Task and referral, and since when. */
	public record Item(String kind, String taskId, String referralId, String parentTaskId, String patient, String owner, String status,
			Instant since, String detail) {}

	private static final String QUERY = """
			SELECT * FROM (
			  SELECT 'response-overdue' AS kind, t.task_id, t.referral_id, t.parent_task_id, t.patient, t.owner, t.status,
			         t.response_due AS since, NULL AS detail, t.owner AS owner_a, NULL AS owner_b
			    FROM task_workflow t WHERE t.status = 'requested' AND t.response_due < ?
			  UNION ALL
			  SELECT 'contact-overdue', t.task_id, t.referral_id, t.parent_task_id, t.patient, t.owner, t.status,
			         t.accepted_at + ? * interval '1 millisecond', NULL, t.owner, NULL
			    FROM task_workflow t WHERE t.contacted_at IS NULL AND t.closed_at IS NULL AND t.parent_task_id IS NULL
			     AND t.accepted_at < ?
			  UNION ALL
			  SELECT 'onward-outcome-overdue', t.task_id, t.referral_id, t.parent_task_id, t.patient, t.owner, t.status,
			         t.authored_at + ? * interval '1 millisecond', NULL, t.owner, p.owner
			    FROM task_workflow t LEFT JOIN task_workflow p ON p.task_id = t.parent_task_id
			   WHERE t.onward_outcome_at IS NULL AND t.closed_at IS NULL AND t.parent_task_id IS NOT NULL
			     AND t.authored_at < ?
			  UNION ALL
			  SELECT 'review-due', t.task_id, t.referral_id, t.parent_task_id, t.patient, t.owner, t.status,
			         (o.review_due::timestamp AT TIME ZONE ?), coalesce(o.instrument_name, o.instrument), t.owner, NULL
			    FROM outcome_review o JOIN task_workflow t ON t.referral_id = o.referral_id
			   WHERE o.open AND o.review_due <= ? AND t.closed_at IS NULL
			  UNION ALL
			  SELECT 'feedback-undelivered', t.task_id, t.referral_id, t.parent_task_id, t.patient, t.owner, t.status,
			         min(f.created_at) + ? * interval '1 millisecond', string_agg(DISTINCT f.event, ', '), t.owner, NULL
			    FROM feedback_delivery f JOIN task_workflow t ON t.task_id = f.task_id
			   WHERE f.state <> 'completed' AND f.created_at < ?
			   GROUP BY t.task_id, t.referral_id, t.parent_task_id, t.patient, t.owner, t.status
			) overdue
			""";

	private final JdbcTemplate jdbc;
	private final WorkflowProperties properties;
	private final ZoneId zone;

	public OverdueWork(JdbcTemplate jdbc, WorkflowProperties properties, ZoneId zone) {
		this.jdbc = jdbc;
		this.properties = properties;
		this.zone = zone;
	}

	/** Overdue items as of {@code now}, oldest first; for one owner (ODS code or reference) or for all when null. */
	public List<Item> find(Instant now, String owner, int offset, int count, AccessScope scope) {
		List<Object> args = arguments(now, owner, scope);
		args.add(count);
		args.add(offset);
		return jdbc.query(QUERY + where(owner, scope) + " ORDER BY since, task_id, kind LIMIT ? OFFSET ?", (rs, n) -> new Item(rs.getString("kind"),
				rs.getString("task_id"), rs.getString("referral_id"), rs.getString("parent_task_id"), rs.getString("patient"),
				rs.getString("owner"), rs.getString("status"), rs.getTimestamp("since").toInstant(), rs.getString("detail")), args.toArray());
	}

	public int count(Instant now, String owner, AccessScope scope) {
		Integer n = jdbc.queryForObject("SELECT count(*) FROM (" + QUERY + where(owner, scope) + ") c", Integer.class,
				arguments(now, owner, scope).toArray());
		return n == null ? 0 : n;
	}

	/** For one owner, or all; only Tasks the caller may see (the access predicate over the Task's resource row). */
	private static String where(String owner, AccessScope scope) {
		List<String> conditions = new ArrayList<>();
		if (owner != null) {
			conditions.add("(owner_a = ? OR owner_b = ?)");
		}
		if (scope.predicate() != null) {
			conditions.add("EXISTS (SELECT 1 FROM resource r WHERE r.res_type = 'Task' AND r.res_id = overdue.task_id AND ("
					+ scope.predicate().sql() + "))");
		}
		return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
	}

	private List<Object> arguments(Instant now, String owner, AccessScope scope) {
		Timestamp at = Timestamp.from(now);
		long contact = properties.getContactWithin().toMillis();
		long onward = properties.getOnwardOutcomeWithin().toMillis();
		Timestamp contactCutoff = Timestamp.from(now.minusMillis(contact));
		Timestamp onwardCutoff = Timestamp.from(now.minusMillis(onward));
		long feedback = properties.getFeedbackWithin().toMillis();
		List<Object> args = new ArrayList<>(List.of(at, contact, contactCutoff, onward, onwardCutoff, zone.getId(),
				Date.valueOf(LocalDate.ofInstant(now, zone)), feedback, Timestamp.from(now.minusMillis(feedback))));
		if (owner != null) {
			args.add(owner);
			args.add(owner);
		}
		if (scope.predicate() != null) {
			args.addAll(scope.predicate().args());
		}
		return args;
	}
}
