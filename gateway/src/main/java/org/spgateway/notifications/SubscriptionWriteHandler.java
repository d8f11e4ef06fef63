package org.spgateway.notifications;

import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Subscription.SubscriptionStatus;
import org.spgateway.resources.IncomingResource;
import org.spgateway.resources.ResourceService;
import org.spgateway.resources.ResourceWriteHandler;
import org.spgateway.resources.WriteContext;
import org.spgateway.resources.WriteOutcome;

/**
 * Creates and updates of Subscription. The gateway sets a subscription up as it stores it (criteria
 * compiled, channel checked, registered for matching) so {@code requested} becomes {@code active}
 * at once; no handshake is sent (R4 rest-hook defines none). The checks themselves run for every
 * stored version in {@link SubscriptionLifecycle}, whichever way it was written.
 */
public class SubscriptionWriteHandler implements ResourceWriteHandler {

	private static final String TYPE = "Subscription";

	private final ResourceService resources;

	public SubscriptionWriteHandler(ResourceService resources) {
		this.resources = resources;
	}

	@Override
	public String resourceType() {
		return TYPE;
	}

	@Override
	public WriteOutcome create(IncomingResource incoming, String ifNoneExist, WriteContext context) {
		activate((Subscription) incoming.resource());
		return resources.createDirect(TYPE, incoming, ifNoneExist);
	}

	@Override
	public WriteOutcome update(String id, IncomingResource incoming, Integer expectedVersion, WriteContext context) {
		activate((Subscription) incoming.resource());
		return resources.updateDirect(TYPE, id, incoming, expectedVersion);
	}

	/** requested means "please set this up": done synchronously, so it is stored as active, without a stale error. */
	private static void activate(Subscription subscription) {
		if (subscription.getStatus() == SubscriptionStatus.REQUESTED) {
			subscription.setStatus(SubscriptionStatus.ACTIVE);
		}
		if (subscription.getStatus() == SubscriptionStatus.ACTIVE) {
			subscription.setErrorElement(null);
		}
	}
}
