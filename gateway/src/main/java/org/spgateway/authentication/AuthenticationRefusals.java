package org.spgateway.authentication;

import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.spgateway.fhir.Outcomes;

/** The words and answers of every authentication and scope refusal, kept out of the checks themselves. */
public final class AuthenticationRefusals {

	/** The realm named in every WWW-Authenticate challenge. */
	public static final String REALM = "sp-gateway";

	public static final String NO_TOKEN = "This request needs an OAuth2 bearer access token (Authorization: Bearer <token>)."
			+ " See /.well-known/smart-configuration for where to get one.";

	private AuthenticationRefusals() {}

	/** The WWW-Authenticate value for a request without a token (RFC 6750: no error code then). */
	public static String challenge() {
		return "Bearer realm=\"" + REALM + "\"";
	}

	/** The WWW-Authenticate value for a refused token or scope. */
	public static String challenge(String error, String description) {
		return "Bearer realm=\"" + REALM + "\", error=\"" + error + "\", error_description=\"" + description.replace("\"", "'") + "\"";
	}

	public static OperationOutcome outcome(IssueType type, String diagnostics) {
		return Outcomes.single(IssueSeverity.ERROR, type, diagnostics, null);
	}

	/** 401 from inside the FHIR server: a request that is not public came without a token. */
	public static AuthenticationException noToken() {
		AuthenticationException e = new AuthenticationException(NO_TOKEN);
		e.setOperationOutcome(outcome(IssueType.LOGIN, NO_TOKEN));
		e.addResponseHeader("WWW-Authenticate", challenge());
		return e;
	}

	/** 403: the token is valid but its client is not registered (bound) with this gateway. */
	public static ForbiddenOperationException unboundClient(String clientId) {
		String words = "The client '" + clientId + "' is not registered with this gateway: its access token is valid, but no role or"
				+ " organisation is bound to it. Ask the gateway's operator to register the client.";
		return new ForbiddenOperationException(words, outcome(IssueType.FORBIDDEN, words));
	}

	/** 403: the token lacks a scope the interaction needs. */
	public static ForbiddenOperationException missingScope(String what, ScopeCheck.Need need) {
		String words = what + " needs the scope " + need.v2() + " (SMART v2; " + need.v1() + " in SMART v1), which the access token"
				+ " does not grant. Ask for it when requesting the token.";
		ForbiddenOperationException e = new ForbiddenOperationException(words, outcome(IssueType.FORBIDDEN, words));
		e.addResponseHeader("WWW-Authenticate", challenge("insufficient_scope", "The access token needs the scope " + need.v2()));
		return e;
	}

	/** 403 for a transaction or batch entry, whose answer is the entry's response. */
	public static ForbiddenOperationException missingScopeForEntry(int index, String method, String url, ScopeCheck.Need need) {
		String words = "Entry " + index + " (" + method + " " + url + ") needs the scope " + need.v2() + " (SMART v2; " + need.v1()
				+ " in SMART v1), which the access token does not grant.";
		OperationOutcome outcome = Outcomes.single(IssueSeverity.ERROR, IssueType.FORBIDDEN, words, "Bundle.entry[" + index + "].request");
		return new ForbiddenOperationException(words, outcome);
	}

	/** 403: an actuator page (metrics) for operators only. */
	public static String operatorsOnly() {
		return "Metrics are for the gateway's operators: this needs a token of a client bound as an administrator"
				+ " (or a tester, in sandbox mode).";
	}
}
