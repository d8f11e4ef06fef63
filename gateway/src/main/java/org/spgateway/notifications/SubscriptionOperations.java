package org.spgateway.notifications;

import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Subscription;
import org.spgateway.security.RequestGate;
import org.spgateway.server.SystemProvider;

/** {@code POST [base]/Subscription/[id]/$redrive}: deliver what a Subscription in error has kept. */
public class SubscriptionOperations implements SystemProvider {

	private final SubscriptionLifecycle lifecycle;

	public SubscriptionOperations(SubscriptionLifecycle lifecycle) {
		this.lifecycle = lifecycle;
	}

	@Description(shortDefinition = "Deliver the notifications a Subscription in error has kept",
			value = "When delivery to a Subscription's endpoint gives up, the Subscription goes to status 'error' (the reason is in"
					+ " Subscription.error) and its notifications are kept. Once the receiver works again, $redrive sets the"
					+ " Subscription back to 'active' and delivers every kept notification, in order per resource. Updating the"
					+ " Subscription with status 'requested' does the same. Returns the Subscription. A Subscription that is 'off' has"
					+ " nothing kept: 422.")
	@Operation(name = "$redrive", typeName = "Subscription", idempotent = false)
	public Subscription redrive(@IdParam IdType id, RequestDetails request) {
		return lifecycle.redrive(id.getIdPart(), RequestGate.scopeOf(request));
	}
}
