package org.spgateway.security;

import java.net.URI;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.spgateway.validation.ValidationIssue;

/**
 * The words for a receiver address the gateway will not call, for every resource that registers one
 * (Subscription.channel.endpoint, Endpoint.address). The rules themselves are {@link OutboundAddressRules}.
 */
public final class OutboundRefusals {

	private OutboundRefusals() {}

	/**
	 * The problem with a receiver's URL, or null when the gateway may call it. A host name that does not
	 * resolve today is accepted: it reaches nothing now, and is checked again before every delivery.
	 */
	public static ValidationIssue check(OutboundAddressRules rules, URI uri, String expression) {
		OutboundAddressRules.Verdict verdict = rules.check(uri);
		if (verdict.refusedBy() == null) {
			return null;
		}
		AddressRule rule = verdict.refusedBy();
		String where = rule == AddressRule.GATEWAY_ITSELF ? "points at the gateway itself"
				: "resolves to a " + rule.label() + " address (" + rule.ranges() + ")";
		return ValidationIssue.error(IssueType.SECURITY, expression + ": host '" + uri.getHost() + "' " + where
				+ ", refused by the outbound rule '" + rule.label() + "': the gateway does not call its own host or internal networks."
				+ " An operator can allow this receiver with gateway.outbound.allowed-hosts or gateway.outbound.allowed-cidrs", expression);
	}

	/** The delivery error for an address refused at delivery time; names the class of reason, never the address found. */
	public static String atDelivery(OutboundAddressRules.Verdict verdict) {
		if (verdict.unresolved()) {
			return "host name not found";
		}
		return "address refused by the outbound rule '" + verdict.refusedBy().label() + "'";
	}
}
