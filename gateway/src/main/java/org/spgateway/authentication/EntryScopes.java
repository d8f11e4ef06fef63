package org.spgateway.authentication;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import org.spgateway.security.Caller;
import org.spgateway.security.RequestGate;

/** The scope check of one entry of a transaction or batch Bundle (the Bundle itself needs no scope; each entry does). */
public final class EntryScopes {

	private EntryScopes() {}

	/** The refusal of entry {@code index} ({@code method url}) for want of a scope, or null when the caller's token grants it. */
	public static ForbiddenOperationException refusal(RequestDetails request, int index, String method, String url) {
		Caller caller = RequestGate.callerOf(request);
		ScopeCheck.Need need = ScopeCheck.forEntry(method, url);
		if (caller != null && SmartScopes.allows(caller.scopes(), need.type(), need.permission())) {
			return null;
		}
		return AuthenticationRefusals.missingScopeForEntry(index, method, url, need);
	}
}
