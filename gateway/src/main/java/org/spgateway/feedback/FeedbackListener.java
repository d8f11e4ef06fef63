package org.spgateway.feedback;

import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.fhir.Codes;
import org.spgateway.fhir.LogSafe;
import org.spgateway.outbox.Outbox;
import org.spgateway.outcomes.OutcomeSummary;
import org.spgateway.outbox.OutboundMessage;
import org.spgateway.resources.ResourceChangeListener;
import org.spgateway.resources.ResourceService;
import org.spgateway.security.AccessScope;
import org.spgateway.store.LocalReference;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.StoredResource;
import org.spgateway.store.TransactionScoped;
import org.spgateway.workflow.TaskWorkflowIndex;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Closes the loop: each change to a referral's Task that the referrer should hear about (ConceptMap
 * sp-feedback-events) becomes a Communication to the referrer, with its coded entries, and, when the
 * referrer has an Endpoint, an outbox message delivering it, all in the transaction of the change.
 * The feedback is composed just before that transaction commits, so that it describes the whole change
 * (a discharge's referral already completed).
 */
public class FeedbackListener implements ResourceChangeListener {

	private static final Logger log = LoggerFactory.getLogger(FeedbackListener.class);
	private static final String CONTEXT = "https://spgateway.org/fhir/StructureDefinition/sp-message-context";

	/** One Task change waiting for its transaction to commit. */
	private record Pending(String taskId, Task task, List<String> events) {}

	private final FeedbackEvents events;
	private final FeedbackComposer composer;
	private final ObjectProvider<ResourceService> resourceService;
	private final ObjectProvider<FeedbackRoutes> routes;
	private final FeedbackMessages messages;
	private final Outbox outbox;
	private final FeedbackProperties properties;
	private final FeedbackRecords records;
	private final ObjectProvider<OutcomeSummary> outcomeSummary;
	private final ObjectProvider<PartnerFeedback> partnerFeedback;
	/** The current transaction's Task changes, composed into feedback just before it commits. */
	private final TransactionScoped<List<Pending>> pending = new TransactionScoped<>(changes -> {
		for (Pending p : new ArrayList<>(changes)) {
			feedback(p);
		}
	}, null);

	public FeedbackListener(FeedbackEvents events, ObjectProvider<ResourceService> resourceService, ObjectProvider<FeedbackRoutes> routes,
			FeedbackMessages messages, Outbox outbox, FeedbackProperties properties, FeedbackRecords records,
			ObjectProvider<OutcomeSummary> outcomeSummary, ObjectProvider<PartnerFeedback> partnerFeedback) {
		this.events = events;
		this.composer = new FeedbackComposer(events);
		this.resourceService = resourceService;
		this.routes = routes;
		this.messages = messages;
		this.outbox = outbox;
		this.properties = properties;
		this.records = records;
		this.outcomeSummary = outcomeSummary;
		this.partnerFeedback = partnerFeedback;
	}

	@Override
	public void onChange(StoredResource stored, Resource resource, StoredResource previous) {
		// Feedback is about a referral's own Task changing (not its creation by intake, nor onward Tasks).
		if (!properties.isEnabled() || !(resource instanceof Task task) || previous == null || task.hasPartOf()
				|| !TaskWorkflowIndex.isReferralTask(task)) {
			return;
		}
		if (!events.mayProduce(task)) {
			// The common step (assessed, plan agreed, review ...): nothing to tell, no need to parse the previous version.
			return;
		}
		Task before = (Task) resourceService.getObject().toResource(previous);
		List<String> found = events.of(before, task);
		if (found.isEmpty() || !TransactionScoped.active()) {
			return;
		}
		pending.get(ArrayList::new).add(new Pending(stored.id(), task, found));
	}

	private void feedback(Pending p) {
		ResourceService resources = resourceService.getObject();
		LocalReference focus = LocalReference.parse(p.task().getFocus().getReference());
		ServiceRequest referral = (ServiceRequest) resources.toResource(resources.read("ServiceRequest", focus.id(), AccessScope.UNRESTRICTED));
		FeedbackRoute route = routes.getObject().of(referral);
		Origin origin = origin(resources, focus.id());
		List<String> onward = onwardServices(resources, p.taskId());
		List<String> needs = needs(resources, referral);
		OutcomeReport.Report outcomes = p.events().contains("discharged") || p.events().contains("ended")
				? new OutcomeReport(outcomeSummary.getObject(), resources).of(focus.id()) : null;
		Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		PartnerFeedback shaping = partnerFeedback.getIfAvailable();
		PartnerFeedback.Shaped partner = shaping == null || route.organisation() == null || !route.organisation().hasIdentifier() ? null
				: shaping.forOrganisation(route.organisation().getIdentifier());
		for (String event : p.events()) {
			boolean deliver = partner != null ? deliverable(partner.channel(), partner.address())
					: route.delivered() && deliverable(route.channel(), route.address());
			String channel = partner != null ? partner.channel() : route.channel();
			FeedbackComposer.Composed composed = composer.compose(event, p.task(), p.taskId(), referral, focus.id(), now, route.recipient(), onward, needs,
					"discharged".equals(event) || "ended".equals(event) ? outcomes : null,
					ResourceStore::newId, deliver);
			List<Resource> carried = new ArrayList<>();
			if (deliver) {
				// As REFRESP01: the referral first, then the person, the provider's Task, what is said, and who says it to whom.
				carried.add(referral.setId("ServiceRequest/" + focus.id()));
				carried.add(composed.communication());
				carried.addAll(composed.coded());
				if (outcomes != null && ("discharged".equals(event) || "ended".equals(event))) {
					carried.addAll(outcomes.observations());
				}
				carried.add(readQuietly(resources, referral.getSubject()));
				carried.add(p.task().copy().setId("Task/" + p.taskId()));
				carried.add(readQuietly(resources, p.task().getOwner()));
				carried.add(readQuietly(resources, route.organisation()));
				carried = messages.distinct(carried);
			}
			OutboundMessage outbound = null;
			if (deliver) {
				// Shaped before anything is stored: a map that fails leaves the feedback undelivered, never the Task change undone.
				String id = composed.communication().getIdElement().getIdPart();
				outbound = partner != null ? partnerMessage(partner, route, p, carried, id, focus.id(), origin, now)
						: message(route, p, carried, origin, id, focus.id(), now);
				if (outbound == NOTHING) {
					// A codes-only partner and an event that files no codes: nothing to send, the Communication is there to be read.
					outbound = null;
					deliver = false;
					composed.communication().setStatus(Communication.CommunicationStatus.COMPLETED);
				} else if (outbound == null) {
					deliver = false;
					composed.communication().setStatus(Communication.CommunicationStatus.NOTDONE).getStatusReason()
							.setText(partner != null ? "The referrer's partner map could not shape this feedback; the referrer reads it from the gateway"
									: "The BaRS feedback map could not make this message; the referrer reads it from the gateway");
				}
			}
			for (Resource coded : composed.coded()) {
				resources.createNow(coded, coded.getIdElement().getIdPart(), List.of());
			}
			String communicationId = composed.communication().getIdElement().getIdPart();
			resources.createNow(composed.communication(), communicationId, List.of());
			records.created(communicationId, focus.id(), p.taskId(), event, deliver ? channel : null, deliver, now);
			if (deliver) {
				outbox.enqueue(List.of(outbound));
			}
		}
	}

	/** What {@link #partnerMessage} answers when the partner takes nothing of this feedback (codes only, and no codes). */
	private static final OutboundMessage NOTHING = new OutboundMessage("", "", null, "POST", "", List.of(), null, null, "");

	/**
	 * Feedback as a partner's delivery options say: its map's output or another body its side makes, a BaRS message, or a FHIR
	 * transaction, to its own address with its own headers. A map that fails is logged (map and rule, never the content) and the
	 * feedback is not delivered: null. {@link #NOTHING} when the partner takes nothing of it.
	 */
	private OutboundMessage partnerMessage(PartnerFeedback.Shaped partner, FeedbackRoute route, Pending p, List<Resource> carried,
			String communicationId, String referralId, Origin origin, Instant now) {
		String body;
		String url = partner.address();
		try {
			switch (partner.form()) {
				case BARS_MESSAGE -> {
					FeedbackRoute to = new FeedbackRoute(route.recipient(), route.organisation(), null, FeedbackRoute.MESSAGING, partner.address(),
							List.of());
					body = messages.barsResponse(to, p.task().getOwner(), carried, origin.messageId(), now);
					url = processMessage(partner.address());
				}
				case FHIR_TRANSACTION -> {
					List<Resource> written = partner.codesOnly() ? CodesOnly.entries(carried) : carried.stream()
							.filter(r -> r instanceof Communication || r instanceof Procedure || r instanceof Observation).toList();
					body = written.isEmpty() ? null : messages.restTransaction(written);
				}
				default -> {
					Bundle source = new Bundle().setType(Bundle.BundleType.COLLECTION).setTimestamp(Date.from(now));
					carried.forEach(r -> source.addEntry().setResource(r));
					body = partner.body().apply(source);
				}
			}
		} catch (RuntimeException e) {
			log.warn("Feedback: {} could not be shaped for {}: {}", "Communication/" + communicationId, partner.channel(), LogSafe.message(e.getMessage()));
			return null;
		}
		if (body == null) {
			return NOTHING;
		}
		// Shaped as FHIR JSON; a partner that asked for XML gets the same resource as XML.
		body = messages.inFormat(body, partner.contentType());
		return new OutboundMessage(partner.channel(), partner.channel() + "|ServiceRequest/" + referralId, "Communication/" + communicationId, "POST",
				url, partner.headers(), partner.contentType(), body, origin.correlationId() != null ? origin.correlationId() : referralId);
	}

	private static String processMessage(String address) {
		return address.endsWith("$process-message") ? address : address.replaceAll("/+$", "") + "/$process-message";
	}

	/** Feedback to the referrer's Endpoint: a BaRS message (by the BaRS feedback map), or a transaction; null when the map fails. */
	private OutboundMessage message(FeedbackRoute route, Pending p, List<Resource> carried, Origin origin, String communicationId, String referralId,
			Instant now) {
		List<OutboundMessage.Header> headers = route.headers().stream().filter(h -> h.contains(":"))
				.map(h -> new OutboundMessage.Header(h.substring(0, h.indexOf(':')).trim(), h.substring(h.indexOf(':') + 1).trim())).toList();
		String body;
		String url;
		if (FeedbackRoute.MESSAGING.equals(route.kind())) {
			try {
				body = messages.barsResponse(route, p.task().getOwner(), carried, origin.messageId(), now);
			} catch (RuntimeException e) {
				log.warn("Feedback: {} could not be made into a BaRS message for {}: {}", "Communication/" + communicationId, route.channel(),
						LogSafe.message(e.getMessage()));
				return null;
			}
			url = processMessage(route.address());
		} else {
			// A REST referrer's own server gets what was said and the coded entries, not copies of the gateway's records.
			body = messages.restTransaction(carried.stream().filter(r -> r instanceof Communication || r instanceof Procedure
					|| r instanceof Observation).toList());
			url = route.address();
		}
		return new OutboundMessage(route.channel(), route.channel() + "|ServiceRequest/" + referralId, "Communication/" + communicationId, "POST",
				url, headers, "application/fhir+json", body, origin.correlationId() != null ? origin.correlationId() : referralId);
	}

	private static Resource readQuietly(ResourceService resources, Reference ref) {
		LocalReference local = ref == null ? null : LocalReference.parse(ref.getReference());
		if (local == null || resources.isReadOnly(local.type())) {
			return null;
		}
		try {
			return resources.toResource(resources.read(local.type(), local.id(), AccessScope.UNRESTRICTED));
		} catch (ResourceNotFoundException gone) {
			return null;
		}
	}

	/** Https unless plain http is explicitly allowed (as for Subscription endpoints). */
	private boolean deliverable(String channel, String address) {
		boolean https = address.regionMatches(true, 0, "https://", 0, 8);
		boolean http = address.regionMatches(true, 0, "http://", 0, 7);
		if (https || http && !properties.isRequireHttps()) {
			return true;
		}
		log.warn("Feedback: {} has an address the gateway may not deliver to (https required); the referrer must poll", channel);
		return false;
	}

	/** The referral's first message: its correlation id and (BaRS) message id, from the intake Provenance. */
	private record Origin(String correlationId, String messageId) {}

	private static Origin origin(ResourceService resources, String referralId) {
		List<StoredResource> provenances = resources.matchAll("Provenance", "target=ServiceRequest/" + referralId + "&_sort=_lastUpdated", 1);
		if (provenances.isEmpty()) {
			return new Origin(null, null);
		}
		Provenance first = (Provenance) resources.toResource(provenances.get(0));
		Extension context = first.getExtensionByUrl(CONTEXT);
		return new Origin(part(context, "correlationId"), part(context, "messageId"));
	}

	private static String part(Extension context, String name) {
		Extension e = context == null ? null : context.getExtensionByUrl(name);
		return e == null || e.getValue() == null ? null : e.getValue().primitiveValue();
	}

	/** The referral's reasons in words: its codes, and the Conditions it refers to. */
	private static List<String> needs(ResourceService resources, ServiceRequest referral) {
		List<String> needs = new ArrayList<>();
		referral.getReasonCode().forEach(cc -> needs.add(Codes.text(cc)));
		for (Reference ref : referral.getReasonReference()) {
			Resource r = readQuietly(resources, ref);
			if (r instanceof Condition condition) {
				needs.add(Codes.text(condition.getCode()));
			} else if (ref.hasDisplay()) {
				needs.add(ref.getDisplay());
			}
		}
		needs.removeIf(String::isBlank);
		return needs;
	}

	/** The services the person was referred on to, by name. */
	private static List<String> onwardServices(ResourceService resources, String taskId) {
		List<String> names = new ArrayList<>();
		for (StoredResource sub : resources.matchAll("Task", "part-of=Task/" + taskId, 100)) {
			Task onward = (Task) resources.toResource(sub);
			LocalReference focus = LocalReference.parse(onward.getFocus().getReference());
			ServiceRequest sr = focus == null ? null : (ServiceRequest) resources.toResource(resources.read("ServiceRequest", focus.id(),
					AccessScope.UNRESTRICTED));
			Reference performer = sr == null ? null : sr.getPerformerFirstRep();
			boolean buddying = sr != null && sr.getOrderDetail().stream().flatMap(d -> d.getCoding().stream())
					.anyMatch(c -> "buddying".equals(c.getCode()));
			String name = performer != null && performer.hasDisplay() ? performer.getDisplay() : onward.getDescription();
			names.add(name + (buddying ? " (with buddying)" : ""));
		}
		return names;
	}
}
