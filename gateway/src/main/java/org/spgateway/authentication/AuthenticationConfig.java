package org.spgateway.authentication;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.authentication.sandbox.DemoClients;
import org.spgateway.authentication.sandbox.SandboxSigningKey;
import org.spgateway.config.GatewayProperties;
import org.spgateway.security.Role;
import org.spgateway.server.ErrorResponses;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * Spring Security in front of everything: every request needs a valid bearer access token except the
 * public ones (CapabilityStatement, reads and searches of the conformance resources, SMART discovery,
 * the API explorer, health probes, and the sandbox's token endpoint). What a token's caller may then do
 * is decided inside the FHIR server ({@link InteractionGate}, {@link ScopeCheck}, the access policy).
 * There is no setting that turns authentication off.
 */
@Configuration(proxyBeanMethods = false)
public class AuthenticationConfig {

	private static final Logger log = LoggerFactory.getLogger(AuthenticationConfig.class);

	@Bean
	ClientBindings clientBindings(SecurityProperties security, GatewayProperties gateway) {
		return ClientBindings.from(security, gateway.isSandbox() ? DemoClients.bindings() : Map.of());
	}

	@Bean
	TokenCallerResolver callerResolver(ClientBindings bindings, SecurityProperties security) {
		return new TokenCallerResolver(bindings, security.getClientIdClaims(), security.getScopeClaims());
	}

	@Bean
	InteractionGate interactionGate() {
		return new InteractionGate();
	}

	@Bean
	TrustedIssuers trustedIssuers(SecurityProperties security, ObjectProvider<SandboxSigningKey> sandboxKey) {
		List<TrustedIssuers.Trusted> trusted = new ArrayList<>(TrustedIssuers.configured(security));
		SandboxSigningKey key = sandboxKey.getIfAvailable();
		if (key != null) {
			trusted.add(key.trusted(security.getSandbox()));
		}
		TrustedIssuers issuers = new TrustedIssuers(trusted, security.getClockSkew(), Clock.systemUTC(), security.getVerifiedTokenCacheSize());
		if (issuers.isEmpty()) {
			log.warn("No token issuer is configured (gateway.security.issuers): every request that needs an access token will be"
					+ " refused. docs/security.md says how to trust an identity provider.");
		}
		return issuers;
	}

	/**
	 * No Micrometer observation around every filter of Spring Security's chain: they were a tenth of a read's CPU
	 * (docs/performance.md) and nothing reads them; the gateway's own request metrics (FhirRequestMetrics) stay.
	 */
	@Bean
	SecurityObservationSettings securityObservationSettings() {
		return SecurityObservationSettings.noObservations();
	}

	@Bean
	SmartDiscovery smartDiscovery(GatewayProperties gateway, SecurityProperties security) {
		return new SmartDiscovery(gateway, security);
	}

	@Bean
	SmartCapabilities smartCapabilities(SmartDiscovery discovery) {
		return new SmartCapabilities(discovery);
	}

	@Bean
	FilterRegistrationBean<SmartConfigurationFilter> smartConfigurationFilter(SmartDiscovery discovery) {
		FilterRegistrationBean<SmartConfigurationFilter> registration = new FilterRegistrationBean<>(new SmartConfigurationFilter(discovery));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
		registration.addUrlPatterns(SmartConfigurationFilter.PATH, "/fhir" + SmartConfigurationFilter.PATH);
		return registration;
	}

	@Bean
	BearerTokenRefusal bearerTokenRefusal(FhirContext fhirContext) {
		return new BearerTokenRefusal(fhirContext);
	}

	/** A URL Spring Security's firewall refuses (e.g. an encoded slash in the path) is a 400 with an OperationOutcome. */
	@Bean
	RequestRejectedHandler requestRejectedHandler(FhirContext fhirContext) {
		return (request, response, rejected) -> ErrorResponses.write(fhirContext, request, response, 400, AuthenticationRefusals.outcome(
				IssueType.INVALID, "The request URL cannot be accepted: it holds characters or sequences not allowed in a path."));
	}

	@Bean
	@Order(10)
	SecurityFilterChain resourceServerChain(HttpSecurity http, TrustedIssuers issuers, BearerTokenRefusal refusal, ClientBindings bindings,
			TokenCallerResolver callers, GatewayProperties gateway) throws Exception {
		http.securityMatcher("/**")
				.csrf(c -> c.disable())
				// Security headers are set by the gateway's own filter for every response, authenticated or not.
				.headers(h -> h.disable())
				.sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
				.requestCache(c -> c.disable())
				.securityContext(c -> c.requireExplicitSave(true))
				.formLogin(f -> f.disable())
				.httpBasic(b -> b.disable())
				.logout(l -> l.disable())
				.authorizeHttpRequests(a -> a
						.requestMatchers(AuthenticationConfig::isPublic).permitAll()
						.requestMatchers(r -> r.getRequestURI().startsWith("/actuator")).access(operators(bindings, callers, gateway.isSandbox()))
						.anyRequest().authenticated())
				.oauth2ResourceServer(o -> o.authenticationManagerResolver(issuers).authenticationEntryPoint(refusal).accessDeniedHandler(refusal))
				.exceptionHandling(e -> e.authenticationEntryPoint(refusal).accessDeniedHandler(refusal));
		return http.build();
	}

	/**
	 * Requests answered without a token. Reads and searches of the conformance types are let through here
	 * and checked exactly inside the FHIR server (an operation on them, or an _include, still needs a token).
	 */
	static boolean isPublic(HttpServletRequest request) {
		String path = request.getRequestURI();
		String method = request.getMethod();
		if (path.equals("/") || path.equals("/error") || path.equals("/favicon.ico") || path.startsWith("/.well-known/")
				|| path.equals("/actuator/health") || path.startsWith("/actuator/health/")) {
			return true;
		}
		if (!path.startsWith("/fhir/")) {
			return false;
		}
		String rest = path.substring("/fhir/".length());
		if (rest.equals("metadata") || rest.startsWith(".well-known/") || rest.startsWith("swagger-ui") || rest.startsWith("api-docs")) {
			return true;
		}
		String type = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
		boolean reads = HttpMethod.GET.matches(method) || HttpMethod.HEAD.matches(method)
				|| (HttpMethod.POST.matches(method) && rest.endsWith("/_search"));
		return reads && ScopeCheck.PUBLIC_TYPES.contains(type);
	}

	/**
	 * Metrics (Prometheus, /actuator/metrics, info) are operational data: a token of a client bound as an
	 * administrator, or a tester in sandbox mode. Health and probes stay open for load balancers.
	 */
	private static AuthorizationManager<RequestAuthorizationContext> operators(ClientBindings bindings, TokenCallerResolver callers,
			boolean sandbox) {
		return (authentication, context) -> {
			if (!(authentication.get() instanceof JwtAuthenticationToken token)) {
				return new AuthorizationDecision(false);
			}
			ClientBindings.Binding binding = bindings.find(callers.clientId(token.getToken()));
			boolean allowed = binding != null && (binding.role() == Role.ADMINISTRATOR || (sandbox && binding.role() == Role.TESTER));
			return new AuthorizationDecision(allowed);
		};
	}
}
