package org.spgateway.authentication;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.spgateway.security.Caller;
import org.spgateway.security.RequestGate;

/**
 * Checks, before any provider runs, that the request may be made at all: a public request (metadata,
 * reads and searches of conformance resources) passes; anything else needs an authenticated caller
 * (401) whose token grants the scope the interaction needs ({@link ScopeCheck}, 403). The entries of
 * transactions and batches are checked one by one by the transaction processor.
 */
@Interceptor
public class InteractionGate {

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
	public void check(RequestDetails request, RestOperationTypeEnum interaction) {
		Caller caller = RequestGate.callerOf(request);
		if (ScopeCheck.isPublic(interaction, request.getResourceName(), request.getParameters())) {
			return;
		}
		if (caller == null) {
			throw AuthenticationRefusals.noToken();
		}
		ScopeCheck.Need missing = ScopeCheck.missing(caller.scopes(),
				ScopeCheck.needs(interaction, request.getResourceName(), request.getOperation()));
		if (missing != null) {
			throw AuthenticationRefusals.missingScope(describe(request, interaction), missing);
		}
	}

	private static String describe(RequestDetails request, RestOperationTypeEnum interaction) {
		String type = request.getResourceName();
		if (request.getOperation() != null && request.getOperation().startsWith("$")) {
			return (type == null ? "" : type + "/") + request.getOperation();
		}
		String what = switch (interaction) {
			case READ, VREAD -> "Reading";
			case SEARCH_TYPE, SEARCH_SYSTEM -> "Searching";
			case HISTORY_INSTANCE, HISTORY_TYPE, HISTORY_SYSTEM -> "The history of";
			case CREATE -> "Creating";
			case UPDATE -> "Updating";
			case PATCH -> "Patching";
			case DELETE -> "Deleting";
			default -> "This request on";
		};
		return what + " " + (type == null ? "the server" : type);
	}
}
