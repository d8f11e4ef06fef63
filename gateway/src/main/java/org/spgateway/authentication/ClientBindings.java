package org.spgateway.authentication;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.spgateway.authentication.SecurityProperties.Client;
import org.spgateway.security.OrganisationId;
import org.spgateway.security.Role;

/**
 * Which client is which to the gateway: each client id bound, in configuration, to a role and the
 * organisations it acts for. A token alone never makes a caller: its client must be bound here.
 */
public final class ClientBindings {

	/** A bound client. {@code secret}, {@code publicKey} and {@code scopes} serve the sandbox token endpoint only. */
	public record Binding(String clientId, Role role, List<OrganisationId> organisations, String secret, String publicKey,
			Set<String> scopes) {}

	private final Map<String, Binding> byClient;

	public ClientBindings(Map<String, Binding> byClient) {
		this.byClient = Map.copyOf(byClient);
	}

	/** The clients of {@code gateway.security.clients}, plus {@code extra} (the sandbox's demo clients) under them. */
	public static ClientBindings from(SecurityProperties properties, Map<String, Binding> extra) {
		Map<String, Binding> all = new LinkedHashMap<>(extra);
		properties.getClients().forEach((id, client) -> all.put(id, binding(id, client, all.get(id))));
		return new ClientBindings(all);
	}

	public Binding find(String clientId) {
		return clientId == null ? null : byClient.get(clientId);
	}

	public Map<String, Binding> all() {
		return byClient;
	}

	/** A configured client; settings it leaves out are taken from the demo client of the same id, if any (e.g. only a public key). */
	private static Binding binding(String id, Client client, Binding demo) {
		if (client.getRole() == null && demo != null) {
			return new Binding(id, demo.role(), demo.organisations(), client.getSecret() != null ? client.getSecret() : demo.secret(),
					client.getPublicKey() != null ? client.getPublicKey() : demo.publicKey(),
					client.getScopes().isEmpty() ? demo.scopes() : SmartScopes.normalise(client.getScopes()));
		}
		if (client.getRole() == null) {
			throw new IllegalStateException("gateway.security.clients." + id + ".role is not set: every client needs a role");
		}
		List<OrganisationId> organisations = client.getOrganisations().stream()
				.map(o -> new OrganisationId(o.getSystem(), o.getValue())).toList();
		Set<String> scopes = client.getScopes().isEmpty() ? RoleScopes.of(client.getRole()) : SmartScopes.normalise(client.getScopes());
		return new Binding(id, client.getRole(), organisations, client.getSecret(), client.getPublicKey(), scopes);
	}
}
