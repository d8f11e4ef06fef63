package org.spgateway.mapping;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StructureMap;
import org.hl7.fhir.r4.model.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.spgateway.fhir.LogSafe;
import org.spgateway.mapping.PartnerDefinition.Channel;
import org.spgateway.mapping.PartnerDefinition.Direction;
import org.spgateway.mapping.PartnerDefinition.Message;
import org.spgateway.mapping.PartnerDefinition.Payload;
import org.spgateway.outbox.Outbox;
import org.spgateway.outbox.OutboundMessage;
import org.spgateway.resources.ResourceChangeListener;
import org.spgateway.resources.ResourceService;
import org.spgateway.security.AccessScope;
import org.spgateway.server.RequestIdFilter;
import org.spgateway.store.LocalReference;
import org.spgateway.store.StoredResource;
import org.spgateway.store.TransactionScoped;
import org.spgateway.workflow.TaskWorkflowIndex;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Notifications to a provider partner (a case-management platform) by its delivery options: when a referral is routed to an
 * organisation the partner speaks for (its Task is created with that owner), and whenever that Task's status changes, a message
 * goes through the outbox on the partner's channel ({@code Partner/[id]}):
 * <ul>
 * <li>{@code json-webhook}: the partner's outbound notification map's output (its own flat JSON), or id-only the id-only notice;</li>
 * <li>{@code fhir-rest-hook}: as an R4 rest-hook with a payload, {@code PUT [endpoint]/Task/[id]} with the Task; id-only the R4
 * backport's id-only notification Bundle, posted to the endpoint.</li>
 * </ul>
 * The map reads a collection Bundle (timestamped when the notification was made) of the Task, the referral and the person. It is
 * made just before the change commits, so the referral and person written in the same transaction are there; a map that fails is
 * logged (map and rule) and that notification is not sent, never the change undone: the partner still finds the Task by polling.
 */
class PartnerNotifications implements ResourceChangeListener {

	private static final Logger log = LoggerFactory.getLogger(PartnerNotifications.class);

	static final String ROUTED = "routed";
	static final String STATUS_CHANGED = "status-changed";

	private record Pending(PartnerDefinition partner, String event, StoredResource stored, Task task) {}

	private final Partners partners;
	private final MapEngine engine;
	private final PartnerHeaders headers;
	private final IdOnlyNotices notices;
	private final Outbox outbox;
	private final ObjectProvider<ResourceService> resources;
	/** The current transaction's notifications, made into messages just before it commits. */
	private final TransactionScoped<List<Pending>> pending = new TransactionScoped<>(this::enqueue, null);

	PartnerNotifications(Partners partners, MapEngine engine, PartnerHeaders headers, IdOnlyNotices notices, Outbox outbox,
			ObjectProvider<ResourceService> resources) {
		this.partners = partners;
		this.engine = engine;
		this.headers = headers;
		this.notices = notices;
		this.outbox = outbox;
		this.resources = resources;
	}

	@Override
	public void onChange(StoredResource stored, Resource resource, StoredResource previous) {
		if (!(resource instanceof Task task) || !task.getOwner().hasIdentifier() || !TaskWorkflowIndex.isReferralTask(task)) {
			return;
		}
		PartnerDefinition partner = partners.forOrganization(task.getOwner().getIdentifier().getSystem(),
				task.getOwner().getIdentifier().getValue()).orElse(null);
		if (partner == null || partner.role() != PartnerDefinition.Role.PROVIDER || !partner.delivery().pushes()
				|| !TransactionScoped.active()) {
			return;
		}
		String event = ROUTED;
		if (previous != null) {
			Task before = (Task) resources.getObject().toResource(previous);
			if (before.getStatus() == task.getStatus()) {
				return;
			}
			event = STATUS_CHANGED;
		}
		pending.get(ArrayList::new).add(new Pending(partner, event, stored, task));
	}

	private void enqueue(List<Pending> changes) {
		List<OutboundMessage> messages = new ArrayList<>();
		for (Pending p : changes) {
			OutboundMessage m = message(p);
			if (m != null) {
				messages.add(m);
			}
		}
		outbox.enqueue(messages);
	}

	private OutboundMessage message(Pending p) {
		PartnerDefinition partner = p.partner();
		PartnerDefinition.Delivery delivery = partner.delivery();
		String taskId = p.stored().id();
		Task task = p.task().copy();
		// As the feedback carries them: ids with their type, which a map writes out as they are (Task/[id]).
		task.setId("Task/" + taskId);
		Date at = Date.from(Instant.now().truncatedTo(ChronoUnit.MILLIS));
		boolean idOnly = delivery.payloadOrDefault() == Payload.ID_ONLY;
		String method = "POST";
		String url = delivery.endpoint();
		String contentType;
		String body;
		try {
			if (delivery.channel() == Channel.FHIR_REST_HOOK) {
				contentType = delivery.fhirContentType();
				if (idOnly) {
					body = notices.notificationBundle(partner, task, at);
				} else {
					method = "PUT";
					url = delivery.endpoint().replaceAll("/+$", "") + "/Task/" + taskId;
					body = p.stored().json();
				}
			} else if (idOnly) {
				contentType = "application/json";
				body = notices.notificationJson(p.event(), task, at);
			} else {
				StructureMap map = partner.mapFor(Direction.OUTBOUND, Message.NOTIFICATION).flatMap(engine::byUrl).orElse(null);
				if (map == null) {
					return null;
				}
				Bundle source = carried(task, at);
				contentType = engine.writesJson(map) ? "application/json" : delivery.fhirContentType();
				body = engine.writesJson(map) ? engine.toJson(map, source).toString() : engine.fhirJson(engine.transform(map, source));
			}
		} catch (RuntimeException e) {
			log.warn("Partner notification: Task/{} could not be shaped for {}: {}", taskId, partner.outboxChannel(), LogSafe.message(e.getMessage()));
			return null;
		}
		String channel = partner.outboxChannel();
		// Made as FHIR JSON; a partner that asked for XML gets the same resource as XML.
		body = engine.inFormat(body, contentType);
		return new OutboundMessage(channel, channel + "|Task/" + taskId, "Task/" + taskId + "/_history/" + p.stored().version(), method, url,
				headers.forDelivery(partner), contentType, body, correlationId());
	}

	/** What the map reads: the Task, the referral and the person, in a collection Bundle timestamped now. */
	Bundle carried(Task task, Date at) {
		ResourceService service = resources.getObject();
		Bundle source = new Bundle().setType(Bundle.BundleType.COLLECTION).setTimestamp(at);
		source.addEntry().setResource(task);
		ServiceRequest referral = (ServiceRequest) read(service, task.getFocus());
		if (referral != null) {
			source.addEntry().setResource(referral);
			Resource person = read(service, referral.getSubject());
			if (person != null) {
				source.addEntry().setResource(person);
			}
		}
		return source;
	}

	private static Resource read(ResourceService service, Reference ref) {
		LocalReference local = ref == null ? null : LocalReference.parse(ref.getReference());
		if (local == null) {
			return null;
		}
		Resource r = service.toResource(service.read(local.type(), local.id(), AccessScope.UNRESTRICTED));
		r.setId(local.type() + "/" + local.id());
		return r;
	}

	private static String correlationId() {
		String id = MDC.get(RequestIdFilter.MDC_CORRELATION_ID);
		return id != null ? id : UUID.randomUUID().toString();
	}
}
