package org.spgateway.mapping;

import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.spgateway.fhir.Outcomes;
import org.spgateway.security.Caller;
import org.spgateway.security.OrganisationId;
import org.spgateway.security.Role;

/**
 * Who may post a partner's own messages (its JSON referrals, its status words): a caller bound to one of the partner's organisations
 * (its descriptor's {@code organizations}). An administrator on break-glass and a tester in the sandbox may act for any partner, as
 * they may write anything elsewhere; every other caller (a community group, a commissioner, a client of another organisation) may
 * not. Without a caller (authentication off) the gateway cannot tell, as for any other write.
 */
public final class PartnerCallers {

	private PartnerCallers() {
	}

	public static boolean mayActFor(Caller caller, PartnerDefinition partner, boolean sandbox) {
		if (caller == null) {
			return true;
		}
		if ((caller.role() == Role.ADMINISTRATOR && caller.breakGlass()) || (caller.role() == Role.TESTER && sandbox)) {
			return true;
		}
		return partner.organizations().stream().anyMatch(o -> caller.actsFor(new OrganisationId(o.system(), o.value())));
	}

	/**
	 * The 403 for a caller that does not act for the partner, naming it and the organisations it speaks for.
	 *
	 * @param what what the caller tried, e.g. "send its referrals"
	 * @param expression where the partner was named (the query parameter, or the Parameters entry)
	 */
	public static ForbiddenOperationException refusal(PartnerDefinition partner, String what, String expression) {
		String message = "This client does not act for the partner " + partner.id() + " (" + partner.name() + "; organisations "
				+ String.join(", ", partner.organizations().stream().map(PartnerDefinition.OrganizationIdentifier::value).toList())
				+ "), so it cannot " + what;
		return new ForbiddenOperationException(message, Outcomes.single(IssueSeverity.ERROR, IssueType.FORBIDDEN, message, expression));
	}
}
