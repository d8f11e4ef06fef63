package org.spgateway.testsupport;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.api.IClientInterceptor;
import ca.uhn.fhir.rest.client.api.IHttpRequest;
import ca.uhn.fhir.rest.client.api.IHttpResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.spgateway.GatewayApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A real gateway (the whole Spring Boot application, real HTTP on a free port) for integration tests.
 * Several can run at once on one database (a second instance), and one can be stopped and started
 * again on the same database (a restart).
 */
public final class GatewayServer implements AutoCloseable {

	/** The gateway.secrets.key every test gateway gets (32 bytes, base64), so tests can read what it encrypted. */
	public static final String TEST_SECRETS_KEY = "c3AtZ2F0ZXdheS10ZXN0LXNlY3JldHMta2V5LTMyYiE=";

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	private static final Map<Integer, GatewayServer> RUNNING = new ConcurrentHashMap<>();
	private static final ObjectMapper JSON = new ObjectMapper();

	private final Map<String, String> properties;
	private final Map<String, String> tokens = new ConcurrentHashMap<>();
	private final Class<?>[] extraConfiguration;
	private ConfigurableApplicationContext context;
	private int port;

	private GatewayServer(Map<String, String> properties, Class<?>[] extraConfiguration) {
		this.properties = properties;
		this.extraConfiguration = extraConfiguration;
	}

	/** A gateway on a fresh database with test-only Spring configuration added (e.g. a listener that pauses a write). */
	public static GatewayServer startWith(Class<?>[] extraConfiguration, String... extraProperties) {
		return startOn(TestDatabase.newDatabase(), extraConfiguration, extraProperties);
	}

	/** A gateway on a fresh database. */
	public static GatewayServer start(String... extraProperties) {
		return startOn(TestDatabase.newDatabase(), extraProperties);
	}

	/** A gateway on an existing database (e.g. a second instance, or after a restart). */
	public static GatewayServer startOn(String jdbcUrl, String... extraProperties) {
		return startOn(jdbcUrl, new Class<?>[0], extraProperties);
	}

	private static GatewayServer startOn(String jdbcUrl, Class<?>[] extraConfiguration, String... extraProperties) {
		Map<String, String> properties = new LinkedHashMap<>();
		// The URL names the database's own role (TestDatabase), not the superuser.
		properties.put("spring.datasource.url", jdbcUrl);
		return boot(properties, extraConfiguration, extraProperties);
	}

	/**
	 * A gateway as an operator starts it with no database configured: no {@code spring.datasource.url},
	 * so it runs its own embedded PostgreSQL with its data under {@code dataDir}. {@link #restart()}
	 * starts it again on the same data directory; {@link #jdbcUrl()} is null.
	 */
	public static GatewayServer startEmbedded(Path dataDir, String... extraProperties) {
		Map<String, String> properties = new LinkedHashMap<>();
		properties.put("gateway.data-dir", dataDir.toAbsolutePath().toString());
		return boot(properties, new Class<?>[0], extraProperties);
	}

	private static GatewayServer boot(Map<String, String> properties, Class<?>[] extraConfiguration, String... extraProperties) {
		properties.put("server.port", "0");
		// A fixed test key, as an operator sets one; tests of the key itself override it.
		properties.put("gateway.secrets.key", TEST_SECRETS_KEY);
		properties.put("gateway.validation.warm-up", "0s");
		properties.put("spring.datasource.hikari.maximum-pool-size", "8");
		properties.put("logging.level.root", "WARN");
		properties.put("logging.level.org.spgateway", "WARN");
		// Every test gateway trusts the test issuer and binds its test administrator; sandbox gateways also issue their own tokens.
		properties.put("gateway.security.issuers[0].issuer", TestTokens.ISSUER);
		properties.put("gateway.security.issuers[0].public-keys[0]", TestTokens.publicKey());
		properties.put("gateway.security.issuers[0].audiences[0]", TestTokens.AUDIENCE);
		properties.put("gateway.security.clients." + TestTokens.TEST_ADMIN + ".role", "ADMINISTRATOR");
		for (String p : extraProperties) {
			int eq = p.indexOf('=');
			properties.put(p.substring(0, eq), p.substring(eq + 1));
		}
		GatewayServer server = new GatewayServer(properties, extraConfiguration);
		server.boot();
		return server;
	}

	private void boot() {
		String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
		Class<?>[] sources = new Class<?>[extraConfiguration.length + 1];
		sources[0] = GatewayApplication.class;
		System.arraycopy(extraConfiguration, 0, sources, 1, extraConfiguration.length);
		context = new SpringApplicationBuilder(sources).run(args);
		port = ((ServletWebServerApplicationContext) context).getWebServer().getPort();
		tokens.clear();
		RUNNING.put(port, this);
	}

	public void stop() {
		if (context != null) {
			RUNNING.remove(port, this);
			context.close();
			context = null;
		}
	}

	/** The running test gateway listening on a port, or null (e.g. a test's own receiver). */
	static GatewayServer onPort(int port) {
		return RUNNING.get(port);
	}

	public boolean sandbox() {
		return "true".equals(properties.get("gateway.sandbox"));
	}

	/**
	 * A bearer access token for a client of this gateway. In sandbox mode, from the gateway's own token endpoint
	 * ({@code client_secret_basic} with the demo secret, the client id followed by {@code -secret}); otherwise
	 * minted by the test issuer. Kept until the gateway restarts (a sandbox signs with a new key each start).
	 */
	public String tokenFor(String clientId) {
		return tokens.computeIfAbsent(clientId, id -> sandbox() ? fromTokenEndpoint(id, id + "-secret", null) : TestTokens.forClient(id));
	}

	/** The token endpoint's answer's access_token, for a client authenticating with its secret (basic), optionally asking for scopes. */
	public String fromTokenEndpoint(String clientId, String secret, String scope) {
		String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
		String form = "grant_type=client_credentials" + (scope == null ? "" : "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8));
		HttpResponse<String> answer = Http.post(tokenEndpoint(), form, "Content-Type", "application/x-www-form-urlencoded",
				"Authorization", "Basic " + basic);
		if (answer.statusCode() != 200) {
			throw new IllegalStateException("The token endpoint refused " + clientId + ": " + answer.statusCode() + " " + answer.body());
		}
		try {
			return JSON.readTree(answer.body()).get("access_token").asText();
		} catch (IOException e) {
			throw new IllegalStateException(e);
		}
	}

	public String tokenEndpoint() {
		return "http://localhost:" + port + "/oauth2/token";
	}

	/**
	 * The headers requests from the test helpers carry when the test names no Authorization of its own: a sandbox's
	 * demo tester, or elsewhere the test issuer's administrator with break-glass (the one caller that sees everything
	 * outside sandbox mode, as tests written before authentication expect).
	 */
	public String[] defaultAuthorization() {
		if (sandbox()) {
			return new String[] {"Authorization", "Bearer " + tokenFor("demo-tester")};
		}
		return new String[] {"Authorization", "Bearer " + tokenFor(TestTokens.TEST_ADMIN), "X-Break-Glass", "integration test"};
	}

	/** Stops and starts again on the same database (a new port). */
	public void restart() {
		stop();
		boot();
	}

	/** The configured JDBC URL; null for a gateway on its embedded database. */
	public String jdbcUrl() {
		return properties.get("spring.datasource.url");
	}

	/**
	 * The same URL on this server: a link another instance (or this one before a restart, on another
	 * port) wrote, with its scheme, host and port replaced by this server's.
	 */
	public String onThisServer(String url) {
		URI link = URI.create(url);
		URI here = URI.create(baseUrl());
		return here.getScheme() + "://" + here.getAuthority() + link.getRawPath() + (link.getRawQuery() == null ? "" : "?" + link.getRawQuery());
	}

	public String baseUrl() {
		return "http://localhost:" + port + "/fhir";
	}

	public int port() {
		return port;
	}

	public <T> T bean(Class<T> type) {
		return context.getBean(type);
	}

	/** A FHIR client of this gateway, sending {@link #defaultAuthorization()} unless a request names its own Authorization. */
	public IGenericClient client() {
		FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
		FHIR.getRestfulClientFactory().setSocketTimeout(60_000);
		IGenericClient client = FHIR.newRestfulGenericClient(baseUrl());
		client.registerInterceptor(new DefaultAuthorization());
		return client;
	}

	/** Adds the default headers to a FHIR client's request that carries no Authorization. */
	private final class DefaultAuthorization implements IClientInterceptor {
		@Override
		public void interceptRequest(IHttpRequest request) {
			if (request.getAllHeaders().keySet().stream().noneMatch("Authorization"::equalsIgnoreCase)) {
				String[] headers = defaultAuthorization();
				for (int i = 0; i < headers.length; i += 2) {
					request.addHeader(headers[i], headers[i + 1]);
				}
			}
		}

		@Override
		public void interceptResponse(IHttpResponse response) {
			// nothing to do on the way back
		}
	}

	public static FhirContext fhirContext() {
		return FHIR;
	}

	@Override
	public void close() {
		stop();
	}
}
