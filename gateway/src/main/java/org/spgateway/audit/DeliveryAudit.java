package org.spgateway.audit;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.spgateway.outbox.DeliveryObserver;
import org.spgateway.outbox.HttpDelivery;
import org.spgateway.outbox.OutboxStore;
import org.spgateway.store.LocalReference;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Audits every outbox delivery attempt (Subscription notifications, feedback to referrers): where it went
 * (the channel's Subscription or Endpoint and the receiver's host, never its path or query, which may hold
 * a partner's token), what it was about and its patient, and how it ended.
 */
public class DeliveryAudit implements DeliveryObserver {

	private final AuditTrail trail;
	private final JdbcTemplate jdbc;

	public DeliveryAudit(AuditTrail trail, JdbcTemplate jdbc) {
		this.trail = trail;
		this.jdbc = jdbc;
	}

	@Override
	public void attempted(OutboxStore.Claimed m, HttpDelivery.Result result, String requestId, boolean gaveUp) {
		String kind = m.channel().startsWith("Subscription/") ? "notification" : m.channel().startsWith("Endpoint/") ? "feedback" : "delivery";
		// The claim names the patient of a notification whose payload is a stored version; other messages are looked up.
		String patient = m.patient() != null ? m.patient() : patient(m.subject());
		trail.transmitted(new AuditEvents.Delivery(Instant.now(), kind, m.channel(), subject(m.subject()), patient,
				host(m.url()), requestId, m.correlationId(), result.delivered(), gaveUp, result.status(), result.error()));
	}

	private static String subject(String subject) {
		return LocalReference.parse(subject) != null ? subject : null;
	}

	/** The patient the delivered resource is about, from the search index (a delivery thread, not a request: one small query). */
	private String patient(String subject) {
		LocalReference ref = LocalReference.parse(subject);
		if (ref == null) {
			return null;
		}
		if ("Patient".equals(ref.type())) {
			return ref.versionless();
		}
		List<String> ids = jdbc.queryForList("SELECT x.target_id FROM idx_reference x JOIN resource r ON r.res_pk = x.res_pk"
				+ " WHERE r.res_type = ? AND r.res_id = ? AND x.target_type = 'Patient' AND x.target_id IS NOT NULL LIMIT 1", String.class,
				ref.type(), ref.id());
		return ids.isEmpty() ? null : "Patient/" + ids.get(0);
	}

	private static String host(String url) {
		try {
			URI uri = URI.create(url);
			return uri.getHost() == null ? null : uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
		} catch (IllegalArgumentException e) {
			return null;
		}
	}
}
