package org.spgateway.authentication;

import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.spgateway.config.GatewayProperties;

/**
 * What the gateway tells clients about getting a token, as SMART App Launch's discovery document
 * ({@code /.well-known/smart-configuration}) and the CapabilityStatement's {@code rest.security} say it:
 * the token endpoint (the sandbox's own, or the identity provider's from configuration), the
 * client_credentials grant, how clients authenticate and which scopes exist.
 */
public final class SmartDiscovery {

	public static final List<String> GRANT_TYPES = List.of("client_credentials");
	public static final List<String> AUTH_METHODS = List.of("client_secret_basic", "client_secret_post", "private_key_jwt");
	public static final List<String> CAPABILITIES = List.of("client-confidential-symmetric", "client-confidential-asymmetric",
			"permission-v1", "permission-v2");
	/** Examples of the scope forms accepted; any resource type the gateway serves can replace {@code *}. */
	public static final List<String> SCOPES = List.of("system/*.cruds", "system/*.crus", "system/*.rs", "system/*.*", "system/*.read",
			"system/*.write", "system/ServiceRequest.cruds", "system/Task.rs", "system/Task.u");

	private final GatewayProperties gateway;
	private final SecurityProperties security;

	public SmartDiscovery(GatewayProperties gateway, SecurityProperties security) {
		this.gateway = gateway;
		this.security = security;
	}

	/** The token endpoint to advertise; null when none is configured outside sandbox mode. */
	public String tokenEndpoint(HttpServletRequest request) {
		if (gateway.isSandbox()) {
			return serverRoot(request) + "/oauth2/token";
		}
		return security.getTokenEndpoint();
	}

	public Map<String, Object> configuration(HttpServletRequest request) {
		Map<String, Object> out = new LinkedHashMap<>();
		if (gateway.isSandbox()) {
			out.put("issuer", security.getSandbox().getIssuer());
			out.put("jwks_uri", serverRoot(request) + "/oauth2/jwks");
		}
		String token = tokenEndpoint(request);
		if (token != null) {
			out.put("token_endpoint", token);
		}
		out.put("grant_types_supported", GRANT_TYPES);
		out.put("token_endpoint_auth_methods_supported", AUTH_METHODS);
		out.put("token_endpoint_auth_signing_alg_values_supported", List.of("RS384", "ES384"));
		out.put("scopes_supported", SCOPES);
		out.put("capabilities", CAPABILITIES);
		return out;
	}

	/** The server's root URL: the configured public base URL without /fhir, else the URL this request came to. */
	private String serverRoot(HttpServletRequest request) {
		String base = gateway.getPublicBaseUrl();
		if (base != null && !base.isBlank()) {
			String trimmed = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
			return trimmed.endsWith("/fhir") ? trimmed.substring(0, trimmed.length() - "/fhir".length()) : trimmed;
		}
		String url = request.getRequestURL().toString();
		return url.substring(0, url.length() - request.getRequestURI().length());
	}
}
