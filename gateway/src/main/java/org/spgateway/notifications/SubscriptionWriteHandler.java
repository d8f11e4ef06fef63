package org.spgateway.notifications;

import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Subscription.SubscriptionStatus;
import org.spgateway.resources.IncomingResource;
import org.spgateway.resources.ResourceService;
import org.spgateway.resources.ResourceWriteHandler;
import org.spgateway.resources.WriteContext;
import org.spgateway.resources.WriteOutcome;
import org.spgateway.security.HeaderSecretRecords;

/**
 * Creates and updates of Subscription. The gateway sets a subscription up as it stores it (criteria
 * compiled, channel checked, registered for matching) so {@code requested} becomes {@code active}
 * at once; no handshake is sent (R4 rest-hook defines none). The checks themselves run for every
 * stored version in {@link SubscriptionLifecycle}, whichever way it was written. Header values are
 * write-only: stored encrypted apart from the resource ({@link HeaderSecretRecords}), shown as {@code ***}.
 */
public class SubscriptionWriteHandler implements ResourceWriteHandler {

	private static final String TYPE = "Subscription";

	private static final String HEADERS = "Subscription.channel.header";

	private final ResourceService resources;
	private final HeaderSecretRecords secrets;

	public SubscriptionWriteHandler(ResourceService resources, HeaderSecretRecords secrets) {
		this.resources = resources;
		this.secrets = secrets;
	}

	@Override
	public String resourceType() {
		return TYPE;
	}

	@Override
	public WriteOutcome create(IncomingResource incoming, String ifNoneExist, WriteContext context) {
		Subscription subscription = (Subscription) incoming.resource();
		activate(subscription);
		// The id is fixed first: the header values are kept under it before the Subscription is stored.
		String id = incoming.newId();
		secrets.protectOrRefuse(TYPE, id, subscription.getChannel().getHeader(), HEADERS);
		return resources.createDirect(TYPE, new IncomingResource(subscription, incoming.warnings(), id, incoming.method()), ifNoneExist);
	}

	@Override
	public WriteOutcome update(String id, IncomingResource incoming, Integer expectedVersion, WriteContext context) {
		Subscription subscription = (Subscription) incoming.resource();
		activate(subscription);
		secrets.protectOrRefuse(TYPE, id, subscription.getChannel().getHeader(), HEADERS);
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
