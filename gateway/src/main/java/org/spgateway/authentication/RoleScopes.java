package org.spgateway.authentication;

import java.util.Set;
import org.spgateway.security.Role;

/**
 * The SMART scopes a role may use, which is also what the sandbox grants when a client asks for no
 * scope. Partners (referrers, providers, community services) create, read, update and search but never
 * delete: the gateway keeps every record and a mistake is marked entered-in-error. Which records each
 * may reach is decided by its organisations, not by scope.
 */
public final class RoleScopes {

	private RoleScopes() {}

	public static Set<String> of(Role role) {
		return switch (role) {
			case REFERRER, PROVIDER, COMMUNITY -> Set.of("system/*.crus");
			case TESTER, ADMINISTRATOR -> Set.of("system/*.cruds");
			case COMMISSIONER -> Set.of("system/*.rs");
		};
	}
}
