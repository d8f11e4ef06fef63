package org.spgateway.authentication;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.spgateway.security.Caller;
import org.spgateway.security.CallerResolver;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * The caller of a FHIR request, from the access token Spring Security verified on the way in and the
 * client's binding. No token: null (only public requests get that far). A verified token whose client
 * is not bound is refused with 403.
 * Break-glass is the request's, not the token's: {@code RequestGate} marks it.
 */
public class TokenCallerResolver implements CallerResolver {

	private final ClientBindings bindings;
	private final List<String> clientIdClaims;
	private final List<String> scopeClaims;
	/**
	 * The caller of each token seen lately, by the token object's identity: a token from the cache of verified tokens is the
	 * same object on every request, so its client, binding and normalised scopes are worked out once. Weak keys: an entry goes
	 * with its token.
	 */
	private final Cache<Jwt, Caller> callers = Caffeine.newBuilder().weakKeys().maximumSize(10_000).build();

	public TokenCallerResolver(ClientBindings bindings, List<String> clientIdClaims, List<String> scopeClaims) {
		this.bindings = bindings;
		this.clientIdClaims = List.copyOf(clientIdClaims);
		this.scopeClaims = List.copyOf(scopeClaims);
	}

	@Override
	public Caller resolve(RequestDetails request) {
		Jwt token = currentToken();
		if (token == null) {
			return null;
		}
		String clientId = clientId(token);
		ClientBindings.Binding binding = bindings.find(clientId);
		if (binding == null) {
			// A public request (metadata, conformance) is answered to an unknown client as to anyone without a token.
			if (request.getRestOperationType() != null
					&& ScopeCheck.isPublic(request.getRestOperationType(), request.getResourceName(), request.getParameters())) {
				return null;
			}
			throw AuthenticationRefusals.unboundClient(clientId == null ? "(unnamed)" : clientId);
		}
		return callers.get(token, t -> new Caller(binding.clientId(), binding.role(), binding.organisations(), scopes(t), false));
	}

	/** The verified token of the request on this thread, or null. */
	public static Jwt currentToken() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		return authentication instanceof JwtAuthenticationToken jwt ? jwt.getToken() : null;
	}

	/** The client a token names, by the first configured claim it carries. */
	public String clientId(Jwt token) {
		for (String claim : clientIdClaims) {
			Object value = token.getClaims().get(claim);
			if (value instanceof String s && !s.isBlank()) {
				return s;
			}
		}
		return null;
	}

	/** The token's scopes, normalised, from each configured scope claim (space-separated, or a list). */
	public Set<String> scopes(Jwt token) {
		List<String> all = new ArrayList<>();
		for (String claim : scopeClaims) {
			Object value = token.getClaims().get(claim);
			if (value instanceof String s) {
				all.addAll(List.of(s.trim().split("\\s+")));
			} else if (value instanceof Collection<?> c) {
				c.forEach(v -> all.add(String.valueOf(v)));
			}
		}
		return SmartScopes.normalise(all);
	}
}
