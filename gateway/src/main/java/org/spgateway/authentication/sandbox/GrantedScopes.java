package org.spgateway.authentication.sandbox;

import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashSet;
import java.util.Set;
import org.spgateway.authentication.ClientBindings;
import org.spgateway.authentication.SmartScopes;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.web.authentication.OAuth2ClientCredentialsAuthenticationConverter;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Decides the scopes of a sandbox token request with SMART's meaning rather than by exact string match.
 * A client asking for nothing gets everything its binding allows; a client asking for scopes gets them
 * as written when each is a SMART system scope within what it may use ({@code system/Task.read} is
 * within {@code system/*.crus}), else {@code invalid_scope}. Spring Authorization Server then issues the
 * token for exactly those scopes: the client it sees is the registered one narrowed to them.
 */
final class GrantedScopes implements AuthenticationConverter {

	private final OAuth2ClientCredentialsAuthenticationConverter standard = new OAuth2ClientCredentialsAuthenticationConverter();
	private final ClientBindings bindings;

	GrantedScopes(ClientBindings bindings) {
		this.bindings = bindings;
	}

	@Override
	public Authentication convert(HttpServletRequest request) {
		Authentication converted = standard.convert(request);
		if (!(converted instanceof OAuth2ClientCredentialsAuthenticationToken asked)
				|| !(asked.getPrincipal() instanceof OAuth2ClientAuthenticationToken client) || client.getRegisteredClient() == null) {
			return converted;
		}
		RegisteredClient registered = client.getRegisteredClient();
		ClientBindings.Binding binding = bindings.find(registered.getClientId());
		if (binding == null) {
			return converted;
		}
		Set<String> granted = new LinkedHashSet<>();
		if (asked.getScopes().isEmpty()) {
			granted.addAll(binding.scopes());
		}
		for (String scope : asked.getScopes()) {
			Set<String> meaning = SmartScopes.normalise(Set.of(scope));
			if (meaning.isEmpty()) {
				throw refused("'" + scope + "' is not a SMART system scope this gateway grants (e.g. system/Task.rs or system/*.read)");
			}
			if (!SmartScopes.within(meaning, binding.scopes())) {
				throw refused("'" + scope + "' is more than the client " + registered.getClientId() + " may use ("
						+ String.join(" ", binding.scopes()) + ")");
			}
			granted.add(scope);
		}
		RegisteredClient narrowed = RegisteredClient.from(registered).scopes(s -> {
			s.clear();
			s.addAll(granted);
		}).build();
		OAuth2ClientAuthenticationToken principal = new OAuth2ClientAuthenticationToken(narrowed, client.getClientAuthenticationMethod(),
				client.getCredentials());
		return new OAuth2ClientCredentialsAuthenticationToken(principal, granted, asked.getAdditionalParameters());
	}

	private static OAuth2AuthenticationException refused(String description) {
		return new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_SCOPE, description, null));
	}
}
