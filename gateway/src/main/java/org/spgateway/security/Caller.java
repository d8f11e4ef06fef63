package org.spgateway.security;

import java.util.List;
import java.util.Set;

/**
 * Who a request comes from, once authenticated: the OAuth2 client, the organisations it is bound to
 * act for, its role, and the SMART scopes its token grants (normalised to v2 form, e.g.
 * {@code system/Task.rs}). {@code breakGlass} is true when an administrator asked for audited
 * access to clinical data on this request.
 */
public record Caller(String clientId, Role role, List<OrganisationId> organisations, Set<String> scopes, boolean breakGlass) {

	public Caller {
		organisations = List.copyOf(organisations);
		scopes = Set.copyOf(scopes);
	}

	public boolean actsFor(OrganisationId organisation) {
		return organisations.contains(organisation);
	}
}
