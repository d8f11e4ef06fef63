package org.spgateway.access;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Collections;
import java.util.Set;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.security.AccessPolicy;
import org.spgateway.security.AccessRefusals;
import org.spgateway.security.Caller;
import org.spgateway.security.RequestGate;
import org.spgateway.security.Role;

/**
 * Who a caller is to a referral: its requester (the referrer side), the owner of its Task, or neither. Lifecycle
 * moves are tied to these parties; a caller whose scope is unrestricted (a tester in sandbox mode, the gateway's
 * own work, and requests without a caller while {@code AccessPolicy} lets them see everything) acts for anyone.
 */
public class ReferralParties {

	private final ResourceAccess access;

	public ReferralParties(ResourceAccess access) {
		this.access = access;
	}

	/** Whether the request may act for any organisation (no organisation-bound caller). */
	public static boolean actsForAnyone(RequestDetails request) {
		return request == null || RequestGate.scopeOf(request).predicate() == null;
	}

	/** Whether the request's caller acts for an organisation {@code party} stands for. */
	public boolean actsFor(RequestDetails request, Reference party) {
		Set<String> mine = AccessPolicy.organisationKeys(RequestGate.callerOf(request));
		return !mine.isEmpty() && !Collections.disjoint(mine, access.organisationsOf(party));
	}

	/**
	 * 403 unless the caller is the referral's requester: only the referrer side changes or cancels a referral. A
	 * self-referral (the requester names no organisation) is the referrer side's that sent it.
	 */
	public void requireRequester(RequestDetails request, ServiceRequest referral) {
		if (actsForAnyone(request) || actsFor(request, referral.getRequester())) {
			return;
		}
		Caller caller = RequestGate.callerOf(request);
		if (access.organisationsOf(referral.getRequester()).isEmpty() && caller != null && caller.role() == Role.REFERRER) {
			return;
		}
		throw AccessRefusals.forbidden("Only the organisation that made the referral (ServiceRequest.requester) may change or cancel it",
				"ServiceRequest.requester");
	}

	/** 403 unless the caller acts for the organisation a BaRS message says it comes from (MessageHeader.sender). */
	public static void requireSender(RequestDetails request, String senderOds) {
		if (actsForAnyone(request)) {
			return;
		}
		Set<String> mine = AccessPolicy.organisationKeys(RequestGate.callerOf(request));
		if (senderOds == null || !mine.contains(NhsIdentifiers.ODS_ORGANIZATION + "|" + senderOds)) {
			throw AccessRefusals.forbidden("MessageHeader.sender must be an organisation this client acts for: a message is sent by its own"
					+ " organisation", "Bundle.entry[0].resource.sender");
		}
	}
}
