package org.spgateway.security;

import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.spgateway.fhir.Outcomes;

/** The words of an access refusal (403): the rule, never anything about another organisation's resources. */
public final class AccessRefusals {

	private AccessRefusals() {}

	public static ForbiddenOperationException of(RoleRules.Rule rule) {
		String message = switch (rule) {
			case TESTER_OUTSIDE_SANDBOX -> "Outside sandbox mode a tester may only read conformance resources and use $validate, $translate"
					+ " and $transform";
			case COMMISSIONER_READS_ONLY -> "A commissioner may only read; clinical data is not available to commissioners";
			case ADMINISTRATOR_MANAGES_ONLY -> "An administrator may change only the directory, Endpoints and Subscriptions, and use $validate,"
					+ " $translate, $transform and $redrive; clinical data is read through break-glass (header X-Break-Glass with the reason)";
			case DIRECTORY_BY_ADMINISTRATOR -> "The directory (Organization, HealthcareService, Location) and its Endpoints are changed by the"
					+ " gateway's administrators";
		};
		return forbidden(message, null);
	}

	/** A 403 for a rule outside the role rules (a lifecycle move by the wrong party, a BaRS sender the caller does not act for). */
	public static ForbiddenOperationException forbidden(String message, String expression) {
		return new ForbiddenOperationException(message, Outcomes.single(IssueSeverity.ERROR, IssueType.FORBIDDEN, message, expression));
	}
}
