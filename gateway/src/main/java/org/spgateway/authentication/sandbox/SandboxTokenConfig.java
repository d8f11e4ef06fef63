package org.spgateway.authentication.sandbox;

import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.authentication.ClientBindings;
import org.spgateway.authentication.SecurityProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configurers.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * Sandbox mode's token endpoint, {@code POST /oauth2/token}, run by Spring Authorization Server: the
 * client_credentials grant for the demo clients (and any configured client with a secret or a public
 * key), authenticated by client_secret_basic, client_secret_post or private_key_jwt. Tokens are JWTs
 * signed with the {@link SandboxSigningKey} (registered as the context is created, by {@link SandboxSigningKeyInitializer}),
 * issued by the sandbox issuer for the sandbox audience,
 * naming the client in {@code client_id} and the granted SMART scopes in {@code scope}. Its signing keys
 * are published at {@code /oauth2/jwks}. Errors are OAuth2's JSON errors, which is what OAuth clients read.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "gateway.sandbox", havingValue = "true")
public class SandboxTokenConfig {

	private static final Logger log = LoggerFactory.getLogger(SandboxTokenConfig.class);

	@Bean
	JWKSource<SecurityContext> sandboxJwkSource(SandboxSigningKey key) {
		return new ImmutableJWKSet<>(key.jwkSet());
	}

	@Bean
	RegisteredClientRepository sandboxClients(ClientBindings bindings, SecurityProperties security) {
		List<RegisteredClient> clients = new ArrayList<>();
		for (ClientBindings.Binding binding : bindings.all().values()) {
			if (binding.secret() == null && binding.publicKey() == null) {
				continue;
			}
			RegisteredClient.Builder client = RegisteredClient.withId(UUID.randomUUID().toString())
					.clientId(binding.clientId())
					.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
					.scopes(s -> s.addAll(binding.scopes()))
					.tokenSettings(TokenSettings.builder().accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
							.accessTokenTimeToLive(security.getSandbox().getTokenLifetime()).build());
			if (binding.secret() != null) {
				// Published demo secrets, compared as they are: hashing them would protect nothing.
				client.clientSecret("{noop}" + binding.secret())
						.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
						.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST);
			}
			if (binding.publicKey() != null) {
				client.clientAuthenticationMethod(ClientAuthenticationMethod.PRIVATE_KEY_JWT)
						.clientSettings(ClientSettings.builder().tokenEndpointAuthenticationSigningAlgorithm(SignatureAlgorithm.RS384).build());
			}
			clients.add(client.build());
		}
		log.warn("SANDBOX MODE: demo clients with published secrets ({}) get access tokens at /oauth2/token. Not for real patients.",
				String.join(", ", clients.stream().map(RegisteredClient::getClientId).toList()));
		return new InMemoryRegisteredClientRepository(clients);
	}

	/** Before Spring Security: SMART clients' assertions come without client_id. */
	@Bean
	FilterRegistrationBean<AssertionClientId> assertionClientId() {
		FilterRegistrationBean<AssertionClientId> registration = new FilterRegistrationBean<>(new AssertionClientId());
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 30);
		registration.addUrlPatterns("/oauth2/token");
		return registration;
	}

	/** The sandbox issuer and audience, whatever URL the client called; the client in client_id as SMART resource servers expect. */
	@Bean
	OAuth2TokenCustomizer<JwtEncodingContext> sandboxTokenClaims(SecurityProperties security) {
		return context -> context.getClaims()
				.issuer(security.getSandbox().getIssuer())
				.audience(List.of(security.getSandbox().getAudience()))
				.claim("client_id", context.getRegisteredClient().getClientId());
	}

	@Bean
	@Order(1)
	SecurityFilterChain sandboxTokenEndpoint(HttpSecurity http, RegisteredClientRepository clients, ClientBindings bindings)
			throws Exception {
		OAuth2AuthorizationServerConfigurer server = OAuth2AuthorizationServerConfigurer.authorizationServer();
		ClientAssertionKeys assertionKeys = new ClientAssertionKeys(bindings);
		RequestMatcher endpoints = new OrRequestMatcher(PathPatternRequestMatcher.withDefaults().matcher("/oauth2/token"),
				PathPatternRequestMatcher.withDefaults().matcher("/oauth2/jwks"));
		http.securityMatcher(endpoints)
				.with(server, s -> s
						.registeredClientRepository(clients)
						.authorizationService(new NoStoredAuthorizations())
						// No issuer set: the token endpoint a client assertion must name (aud) is the URL the client called.
						.authorizationServerSettings(AuthorizationServerSettings.builder().build())
						.clientAuthentication(c -> c.authenticationProviders(providers -> providers.forEach(p -> {
							if (p instanceof JwtClientAssertionAuthenticationProvider assertions) {
								assertions.setJwtDecoderFactory(assertionKeys);
							}
						})))
						.tokenEndpoint(t -> t.accessTokenRequestConverter(new GrantedScopes(bindings))))
				.csrf(c -> c.disable())
				.headers(h -> h.disable())
				.sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
				.authorizeHttpRequests(a -> a.anyRequest().permitAll());
		return http.build();
	}
}
