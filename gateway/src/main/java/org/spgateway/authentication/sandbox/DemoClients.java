package org.spgateway.authentication.sandbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.spgateway.authentication.ClientBindings.Binding;
import org.spgateway.authentication.RoleScopes;
import org.spgateway.security.OrganisationId;
import org.spgateway.security.Role;

/**
 * The sandbox's demo clients, one per role, bound to the demo directory's organisations. Each secret is
 * the client id followed by {@code -secret}: they are published, so they only ever exist in sandbox mode.
 */
public final class DemoClients {

	public static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	public static final String DIRECTORY = "https://spgateway.org/fhir/Id/directory-organization";

	private DemoClients() {}

	public static Map<String, Binding> bindings() {
		Map<String, Binding> clients = new LinkedHashMap<>();
		add(clients, "demo-gp", Role.REFERRER, new OrganisationId(ODS, "A99901"));
		add(clients, "demo-gp2", Role.REFERRER, new OrganisationId(ODS, "A99902"));
		add(clients, "demo-provider", Role.PROVIDER, new OrganisationId(ODS, "X99901"));
		add(clients, "demo-community", Role.COMMUNITY, new OrganisationId(DIRECTORY, "VCS-0001"), new OrganisationId(DIRECTORY, "VCS-0002"),
				new OrganisationId(DIRECTORY, "VCS-0003"));
		add(clients, "demo-tester", Role.TESTER);
		add(clients, "demo-admin", Role.ADMINISTRATOR);
		add(clients, "demo-commissioner", Role.COMMISSIONER);
		return clients;
	}

	private static void add(Map<String, Binding> clients, String id, Role role, OrganisationId... organisations) {
		clients.put(id, new Binding(id, role, List.of(organisations), id + "-secret", null, RoleScopes.of(role)));
	}
}
