package org.spgateway.notifications;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.MDC;
import org.spgateway.access.AccessRecords;
import org.spgateway.outbox.Outbox;
import org.spgateway.outbox.OutboundMessage;
import org.spgateway.resources.ResourceChangeListener;
import org.spgateway.server.RequestIdFilter;
import org.spgateway.store.IndexRows;
import org.spgateway.store.SearchIndexer;
import org.spgateway.store.StoredResource;

/**
 * Turns stored changes into notifications: each new version is matched against the subscriptions
 * watching its type, and a message per match is written to the outbox in the same transaction, so a
 * change is never committed without its notifications (nor notified without being committed).
 *
 * <p>A rest-hook notification is, as in FHIR R4 (and HAPI FHIR): with a payload, {@code PUT
 * [endpoint]/[type]/[id]} carrying the version that was stored; without one, {@code POST [endpoint]}
 * with an empty body.
 */
public class SubscriptionNotifier implements ResourceChangeListener {

	private final SubscriptionRegistry registry;
	private final SearchIndexer indexer;
	private final Outbox outbox;
	private final FhirContext fhirContext;
	/** A Subscription only ever delivers what its owner may read, checked against the rows written just before in this transaction. */
	private final AccessRecords access;

	public SubscriptionNotifier(SubscriptionRegistry registry, SearchIndexer indexer, Outbox outbox, FhirContext fhirContext,
			AccessRecords access) {
		this.access = access;
		this.registry = registry;
		this.indexer = indexer;
		this.outbox = outbox;
		this.fhirContext = fhirContext;
	}

	@Override
	public void onChange(StoredResource stored, Resource resource, StoredResource previous) {
		List<NotifiableSubscription> watching = registry.forType(stored.type());
		if (watching.isEmpty()) {
			// The common case: nobody subscribes to this type, and the write pays nothing more.
			return;
		}
		Instant now = Instant.now();
		IndexRows rows = null;
		List<OutboundMessage> messages = new ArrayList<>();
		String correlationId = null;
		for (NotifiableSubscription subscription : watching) {
			if (!subscription.live(now)) {
				continue;
			}
			if (rows == null) {
				// Only the parameters some subscription on this type reads, evaluated once for all of them.
				rows = indexer.index(resource, registry.paramsFor(stored.type()));
			}
			if (subscription.criteria().matches(stored, rows) && access.ownerMayRead(subscription.id(), stored.pk(), stored.type())) {
				if (correlationId == null) {
					correlationId = correlationId();
				}
				messages.add(notification(subscription, stored, resource, correlationId));
			}
		}
		outbox.enqueue(messages);
	}

	private OutboundMessage notification(NotifiableSubscription subscription, StoredResource stored, Resource resource, String correlationId) {
		String focus = stored.type() + "/" + stored.id();
		String orderingKey = subscription.channel() + "|" + focus;
		String subject = focus + "/_history/" + stored.version();
		if (subscription.payload() == null) {
			return new OutboundMessage(subscription.channel(), orderingKey, subject, "POST", subscription.endpoint(), subscription.headers(),
					null, null, correlationId);
		}
		String url = stripSlash(subscription.endpoint()) + "/" + focus;
		if (SubscriptionRules.FHIR_XML.equals(subscription.payload())) {
			return new OutboundMessage(subscription.channel(), orderingKey, subject, "PUT", url, subscription.headers(), subscription.payload(),
					fhirContext.newXmlParser().encodeResourceToString(resource), correlationId);
		}
		// The JSON payload is the stored version itself: the outbox row points at it instead of copying it.
		return new OutboundMessage(subscription.channel(), orderingKey, subject, "PUT", url, subscription.headers(), subscription.payload(),
				null, correlationId, new OutboundMessage.StoredVersion(stored.pk(), stored.version()));
	}

	/** The X-Correlation-Id of the request that made the change; a new one for changes the gateway makes itself. */
	private static String correlationId() {
		String id = MDC.get(RequestIdFilter.MDC_CORRELATION_ID);
		return id != null ? id : UUID.randomUUID().toString();
	}

	static String stripSlash(String url) {
		return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
	}
}
