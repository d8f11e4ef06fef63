package org.spgateway.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;

/**
 * The one place every FHIR request passes before any provider runs. It asks the {@link AccessPolicy}
 * who the caller is and what they may see, and attaches the resulting {@link AccessScope} to the
 * request; the store applies that scope to every query. Authentication plugs in behind AccessPolicy.
 */
@Interceptor
public class RequestGate {

	private static final String SCOPE_KEY = RequestGate.class.getName() + ".scope";
	private static final String CALLER_KEY = RequestGate.class.getName() + ".caller";

	private final AccessPolicy policy;
	private final CallerResolver callers;

	public RequestGate(AccessPolicy policy, CallerResolver callers) {
		this.policy = policy;
		this.callers = callers;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean admit(RequestDetails request) {
		Caller caller = callers.resolve(request);
		if (caller != null) {
			request.getUserData().put(CALLER_KEY, caller);
		}
		request.getUserData().put(SCOPE_KEY, policy.authorize(request));
		return true;
	}

	/** The authenticated caller of a request, or null for an unauthenticated (public) request. */
	public static Caller callerOf(RequestDetails request) {
		Object caller = request == null ? null : request.getUserData().get(CALLER_KEY);
		return caller instanceof Caller c ? c : null;
	}

	/** The scope attached to a request. Fails closed: a request that bypassed the gate sees nothing. */
	public static AccessScope scopeOf(RequestDetails request) {
		Object scope = request == null ? null : request.getUserData().get(SCOPE_KEY);
		if (scope instanceof AccessScope s) {
			return s;
		}
		throw new IllegalStateException("Request did not pass the RequestGate");
	}
}
