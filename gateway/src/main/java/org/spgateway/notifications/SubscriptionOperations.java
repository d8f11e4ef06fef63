package org.spgateway.notifications;

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

	@Operation(name = "$redrive", typeName = "Subscription", idempotent = false)
	public Subscription redrive(@IdParam IdType id, RequestDetails request) {
		return lifecycle.redrive(id.getIdPart(), RequestGate.scopeOf(request));
	}
}
