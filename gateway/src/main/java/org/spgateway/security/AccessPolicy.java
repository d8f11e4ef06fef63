package org.spgateway.security;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the caller of a request may see, as an {@link AccessScope} over the store, and which interactions its
 * role allows ({@link RoleRules}). Partners (referrers, providers, community groups) see the public types and
 * whatever {@code resource_access} grants their organisations; see docs/security.md, "Who sees what".
 */
public class AccessPolicy {

	/** A Subscription owner's reach, recorded beside the owner's organisations: it may read everything. */
	public static final String READS_EVERYTHING = "gateway:reads-everything";
	/** A Subscription owner's reach: an administrator, who reads {@link AccessTypes#ADMINISTERED}. */
	public static final String READS_ADMINISTERED = "gateway:reads-administered";

	private static final String ORGANISATIONS = "r.res_type = ANY(?) OR EXISTS (SELECT 1 FROM resource_access a"
			+ " WHERE a.res_pk = r.res_pk AND a.org_key = ANY(?))";

	private final boolean sandbox;
	private final AccessScope publicOnly;

	public AccessPolicy(boolean sandbox) {
		this.sandbox = sandbox;
		this.publicOnly = types(AccessTypes.CONFORMANCE);
	}

	public AccessScope authorize(RequestDetails request) {
		if (publicRead(request)) {
			// Every caller may read the conformance types: no predicate to evaluate on every row.
			return AccessScope.UNRESTRICTED;
		}
		return scopeFor(RequestGate.callerOf(request));
	}

	/**
	 * A read, search or history of a conformance type that can only answer with that type: no operation, no _include or
	 * _revinclude (which would add other types), no _has (which tests other types' resources).
	 */
	static boolean publicRead(RequestDetails request) {
		String type = request.getResourceName();
		if (type == null || !AccessTypes.CONFORMANCE.contains(type) || request.getOperation() != null
				|| request.getRestOperationType() == null) {
			return false;
		}
		switch (request.getRestOperationType()) {
			case READ, VREAD, SEARCH_TYPE, HISTORY_INSTANCE, HISTORY_TYPE -> { }
			default -> {
				return false;
			}
		}
		for (String name : request.getParameters().keySet()) {
			if (name.startsWith("_include") || name.startsWith("_revinclude") || name.startsWith("_has")) {
				return false;
			}
		}
		return true;
	}

	/** The scope of a caller (null: no caller). */
	public AccessScope scopeFor(Caller caller) {
		if (caller == null) {
			// Only the public requests pass authentication without a token.
			return publicOnly;
		}
		return switch (caller.role()) {
			case REFERRER, PROVIDER, COMMUNITY -> organisations(organisationKeys(caller));
			case TESTER -> sandbox ? AccessScope.UNRESTRICTED : publicOnly;
			case ADMINISTRATOR -> caller.breakGlass() ? AccessScope.UNRESTRICTED : types(AccessTypes.ADMINISTERED);
			case COMMISSIONER -> types(AccessTypes.AUTHENTICATED);
		};
	}

	/** Whether the sandbox rules apply (a tester reads and writes everything). */
	public boolean sandbox() {
		return sandbox;
	}

	/** The keys ({@code system|value}) of the organisations a caller acts for; empty for none or no caller. */
	public static Set<String> organisationKeys(Caller caller) {
		Set<String> keys = new LinkedHashSet<>();
		if (caller != null) {
			caller.organisations().forEach(o -> keys.add(o.key()));
		}
		return keys;
	}

	/**
	 * What a Subscription records about its owner, so that it only ever delivers what the owner may read: the owner's
	 * organisations, and a marker for owners whose reach is not organisation-bound.
	 */
	public Set<String> ownerKeys(Caller caller) {
		Set<String> keys = organisationKeys(caller);
		if (scopeFor(caller) == AccessScope.UNRESTRICTED) {
			keys.add(READS_EVERYTHING);
		} else if (caller != null && caller.role() == Role.ADMINISTRATOR) {
			keys.add(READS_ADMINISTERED);
		}
		return keys;
	}

	/**
	 * Whether a Subscription's owner, recorded as {@link #ownerKeys}, may read a resource of this type; {@code shared}:
	 * whether the resource's access rows include one of the owner's organisations.
	 */
	public static boolean ownerMayRead(Set<String> owner, String type, boolean shared) {
		if (owner.contains(READS_EVERYTHING) || AccessTypes.AUTHENTICATED.contains(type)) {
			return true;
		}
		if (owner.contains(READS_ADMINISTERED)) {
			return AccessTypes.ADMINISTERED.contains(type);
		}
		return shared;
	}

	private static AccessScope organisations(Set<String> keys) {
		AccessScope.SqlPredicate predicate = new AccessScope.SqlPredicate(ORGANISATIONS,
				List.<Object>of(AccessTypes.AUTHENTICATED.toArray(new String[0]), keys.toArray(new String[0])));
		return () -> predicate;
	}

	private static AccessScope types(Set<String> types) {
		// Typed Object so that List.of takes the array as its one element instead of spreading it as varargs.
		Object array = types.toArray(new String[0]);
		AccessScope.SqlPredicate predicate = new AccessScope.SqlPredicate("r.res_type = ANY(?)", List.of(array));
		return () -> predicate;
	}
}
