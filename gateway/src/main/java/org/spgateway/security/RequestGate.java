package org.spgateway.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.function.Supplier;

/**
 * The one place every FHIR request passes before any provider runs. It asks the {@link CallerResolver} who the
 * caller is, applies the role's rules ({@link RoleRules}, 403 when broken), and attaches the caller and the
 * {@link AccessScope} the {@link AccessPolicy} gives it; the store applies that scope to every query.
 *
 * <p>Break-glass: an administrator sending {@value #BREAK_GLASS} with a reason is marked
 * {@link Caller#breakGlass()} for that request (the reason is kept for the audit record, see {@link #breakGlassReason}).
 */
@Interceptor
public class RequestGate {

	/** The request header by which an administrator asks for audited access to clinical data, giving the reason. */
	public static final String BREAK_GLASS = "X-Break-Glass";

	private static final String SCOPE_KEY = RequestGate.class.getName() + ".scope";
	private static final String CALLER_KEY = RequestGate.class.getName() + ".caller";
	private static final String BREAK_GLASS_KEY = RequestGate.class.getName() + ".breakGlass";
	/**
	 * The caller of the request this thread is serving, for what runs inside its writes without the request at hand
	 * (the access rows of a stored resource name the organisation that wrote it). Set on admission, cleared when the
	 * request is done; threads that serve no request never have one.
	 */
	private static final ThreadLocal<Caller> CURRENT = new ThreadLocal<>();

	private final AccessPolicy policy;
	private final CallerResolver callers;

	public RequestGate(AccessPolicy policy, CallerResolver callers) {
		this.policy = policy;
		this.callers = callers;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean admit(RequestDetails request) {
		CURRENT.remove();
		Caller caller = breakGlass(callers.resolve(request), request);
		if (caller != null) {
			request.getUserData().put(CALLER_KEY, caller);
			// Break-glass opens the whole record for this request, corrections included: NHS emergency access does the same,
			// and every such request is audited with its reason.
			RoleRules.Rule broken = caller.breakGlass() ? null : RoleRules.refusal(caller.role(), policy.sandbox(),
					request.getRequestType().name(), request.getResourceName(), request.getOperation());
			if (broken != null) {
				throw AccessRefusals.of(broken);
			}
			CURRENT.set(caller);
		}
		request.getUserData().put(SCOPE_KEY, policy.authorize(request));
		return true;
	}

	@Hook(Pointcut.SERVER_PROCESSING_COMPLETED)
	public void done(RequestDetails request) {
		CURRENT.remove();
	}

	private static Caller breakGlass(Caller caller, RequestDetails request) {
		String reason = request.getHeader(BREAK_GLASS);
		if (caller == null || caller.role() != Role.ADMINISTRATOR || reason == null || reason.isBlank()) {
			return caller;
		}
		request.getUserData().put(BREAK_GLASS_KEY, reason.strip());
		return new Caller(caller.clientId(), caller.role(), caller.organisations(), caller.scopes(), true);
	}

	/** The authenticated caller of a request, or null for an unauthenticated (public) request. */
	public static Caller callerOf(RequestDetails request) {
		Object caller = request == null ? null : request.getUserData().get(CALLER_KEY);
		return caller instanceof Caller c ? c : null;
	}

	/** The caller of the request this thread is serving, or null (no caller, or work the gateway does on its own). */
	public static Caller currentCaller() {
		return CURRENT.get();
	}

	/**
	 * Runs work the gateway does for a caller after its request was answered (a bulk import's batches) as that caller, so
	 * that what the work stores records the caller's organisations as a request's writes do.
	 */
	public static <T> T actingAs(Caller caller, Supplier<T> work) {
		Caller before = CURRENT.get();
		CURRENT.set(caller);
		try {
			return work.get();
		} finally {
			if (before == null) {
				CURRENT.remove();
			} else {
				CURRENT.set(before);
			}
		}
	}

	/** The reason an administrator gave for break-glass access on this request, or null. */
	public static String breakGlassReason(RequestDetails request) {
		Object reason = request == null ? null : request.getUserData().get(BREAK_GLASS_KEY);
		return reason instanceof String s ? s : null;
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
