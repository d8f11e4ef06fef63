package org.spgateway.feedback;

import java.util.List;
import org.hl7.fhir.r4.model.Communication;
import org.spgateway.outbox.OutboxChannelOwner;
import org.spgateway.resources.ResourceService;
import org.spgateway.store.LocalReference;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.StoredResource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Feedback's outbox channels (one per referrer Endpoint, {@code Endpoint/id}, and one per partner delivering by its own webhook,
 * {@code Partner/id}): the delivery state shows
 * on each Communication, {@code completed} once the referrer's system acknowledged it, {@code not-done}
 * with the reason when delivery gave up (re-driven with Endpoint/[id]/$redrive).
 */
public class FeedbackChannels implements OutboxChannelOwner {

	static final String PREFIX = "Endpoint/";
	/** A partner's own webhook (mappings/[id]/partner.yaml), when a partner definition shapes the referrer's feedback. */
	static final String PARTNER_PREFIX = "Partner/";

	private final ObjectProvider<ResourceService> resources;
	private final ResourceStore store;
	private final JdbcTemplate jdbc;
	private final FeedbackRecords records;

	public FeedbackChannels(ObjectProvider<ResourceService> resources, ResourceStore store, JdbcTemplate jdbc, FeedbackRecords records) {
		this.resources = resources;
		this.store = store;
		this.jdbc = jdbc;
		this.records = records;
	}

	@Override
	public boolean owns(String channel) {
		return channel.startsWith(PREFIX) || channel.startsWith(PARTNER_PREFIX);
	}

	@Override
	public boolean wantsReceipts() {
		return true;
	}

	@Override
	public void delivered(String channel, String subject) {
		mark(subject, Communication.CommunicationStatus.COMPLETED, null);
	}

	@Override
	public void gaveUp(String channel, String reason) {
		List<String> undelivered = jdbc.queryForList("SELECT subject FROM outbox_message WHERE channel = ? AND state IN ('pending', 'held', 'failed')"
				+ " AND subject LIKE 'Communication/%' ORDER BY id", String.class, channel);
		for (String subject : undelivered) {
			mark(subject, Communication.CommunicationStatus.NOTDONE, "Could not deliver to the referrer's system: " + reason);
		}
	}

	/** Marks a feedback Communication delivered, or not, when it is still in progress (a re-drive may deliver a not-done one later). */
	void mark(String subject, Communication.CommunicationStatus status, String reason) {
		LocalReference ref = LocalReference.parse(subject);
		if (ref == null || !ref.type().equals("Communication")) {
			return;
		}
		StoredResource current = store.lockCurrent("Communication", ref.id()).orElse(null);
		if (current == null) {
			return;
		}
		ResourceService service = resources.getObject();
		Communication c = (Communication) service.toResource(current);
		if (c.getStatus() == status || c.getStatus() == Communication.CommunicationStatus.COMPLETED) {
			// Delivered is final; anything else may change (given up, then re-driven, then delivered).
			return;
		}
		c.setStatus(status);
		if (reason != null) {
			c.getStatusReason().setText(reason);
		} else {
			c.setStatusReason(null);
		}
		service.updateNow(current, c, null, "PUT", List.of());
		records.state(ref.id(), status.toCode());
	}
}
