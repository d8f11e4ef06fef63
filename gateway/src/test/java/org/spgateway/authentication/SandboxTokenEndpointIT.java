package org.spgateway.authentication;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.TestTokens;

/**
 * The sandbox's token endpoint as OAuth2 clients use it: every demo client by client_secret_basic and
 * client_secret_post, a SMART Backend Services client by private_key_jwt, scopes asked for or by default,
 * and OAuth2 JSON errors.
 */
class SandboxTokenEndpointIT {

	private static final ObjectMapper JSON = new ObjectMapper();
	private static final List<String> DEMO_CLIENTS = List.of("demo-gp", "demo-gp2", "demo-provider", "demo-community", "demo-tester",
			"demo-admin", "demo-commissioner");

	static final RSAKey BACKEND_KEY = TestTokens.generate();
	static GatewayServer gateway;

	@BeforeAll
	static void start() throws Exception {
		String publicKey = Base64.getEncoder().encodeToString(BACKEND_KEY.toRSAPublicKey().getEncoded());
		gateway = GatewayServer.start("gateway.sandbox=true",
				"gateway.security.clients.backend-provider.role=PROVIDER",
				"gateway.security.clients.backend-provider.organisations[0].value=X99901",
				"gateway.security.clients.backend-provider.public-key=" + publicKey);
	}

	@AfterAll
	static void stop() {
		gateway.stop();
	}

	private static HttpResponse<String> tokenRequest(String form, String... headers) {
		String[] all = new String[headers.length + 2];
		all[0] = "Content-Type";
		all[1] = "application/x-www-form-urlencoded";
		System.arraycopy(headers, 0, all, 2, headers.length);
		return Http.post(gateway.tokenEndpoint(), form, all);
	}

	private static String basic(String client, String secret) {
		return "Basic " + Base64.getEncoder().encodeToString((client + ":" + secret).getBytes(StandardCharsets.UTF_8));
	}

	private static JsonNode json(HttpResponse<String> answer) throws Exception {
		return JSON.readTree(answer.body());
	}

	@Test
	void everyDemoClientGetsAWorkingTokenWithItsSecretInBasicAuthOrTheForm() throws Exception {
		for (String client : DEMO_CLIENTS) {
			HttpResponse<String> byBasic = tokenRequest("grant_type=client_credentials", "Authorization", basic(client, client + "-secret"));
			assertThat(byBasic.statusCode()).as(client + ": " + byBasic.body()).isEqualTo(200);
			JsonNode answer = json(byBasic);
			assertThat(answer.get("token_type").asText()).isEqualTo("Bearer");
			assertThat(answer.get("expires_in").asLong()).isBetween(3500L, 3600L);
			assertThat(answer.get("scope").asText()).startsWith("system/*.");
			String token = answer.get("access_token").asText();
			assertThat(Http.get(gateway.baseUrl() + "/Organization?_count=1", "Authorization", "Bearer " + token).statusCode())
					.as(client).isEqualTo(200);
			JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
			assertThat(claims.get("iss").asText()).isEqualTo("https://sp-gateway.invalid/sandbox");
			assertThat(claims.get("aud").toString()).contains("sp-gateway-sandbox");
			assertThat(claims.get("client_id").asText()).isEqualTo(client);

			HttpResponse<String> byForm = tokenRequest("grant_type=client_credentials&client_id=" + client + "&client_secret=" + client + "-secret");
			assertThat(byForm.statusCode()).as(client + ": " + byForm.body()).isEqualTo(200);
		}
	}

	@Test
	void withoutAScopeAClientGetsWhatItsRoleMayUse() throws Exception {
		assertThat(json(tokenRequest("grant_type=client_credentials", "Authorization", basic("demo-gp", "demo-gp-secret"))).get("scope").asText())
				.isEqualTo("system/*.crus");
		assertThat(json(tokenRequest("grant_type=client_credentials", "Authorization", basic("demo-commissioner", "demo-commissioner-secret")))
				.get("scope").asText()).isEqualTo("system/*.rs");
	}

	@Test
	void aClientMayAskForNarrowerScopesInV1OrV2AndTheTokenHoldsOnlyThose() throws Exception {
		HttpResponse<String> answer = tokenRequest("grant_type=client_credentials&scope="
				+ URLEncoder.encode("system/Task.read system/Organization.rs", StandardCharsets.UTF_8),
				"Authorization", basic("demo-provider", "demo-provider-secret"));
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		assertThat(List.of(json(answer).get("scope").asText().split(" ")))
				.containsExactlyInAnyOrder("system/Task.read", "system/Organization.rs");
		String token = json(answer).get("access_token").asText();
		assertThat(Http.get(gateway.baseUrl() + "/Task?_count=1", "Authorization", "Bearer " + token).statusCode()).isEqualTo(200);
		Patient patient = new Patient();
		patient.addName().setFamily("Scoped");
		HttpResponse<String> refused = Http.post(gateway.baseUrl() + "/Patient", Http.json(patient), "Authorization", "Bearer " + token);
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(Http.parse(refused, OperationOutcome.class).getIssueFirstRep().getDiagnostics()).contains("system/Patient.c");
	}

	@Test
	void askingForMoreThanTheRoleMayUseIsAnInvalidScopeError() throws Exception {
		HttpResponse<String> answer = tokenRequest("grant_type=client_credentials&scope=system/Patient.d",
				"Authorization", basic("demo-gp", "demo-gp-secret"));
		assertThat(answer.statusCode()).isEqualTo(400);
		assertThat(json(answer).get("error").asText()).isEqualTo("invalid_scope");
		HttpResponse<String> notSmart = tokenRequest("grant_type=client_credentials&scope=openid",
				"Authorization", basic("demo-gp", "demo-gp-secret"));
		assertThat(notSmart.statusCode()).isEqualTo(400);
		assertThat(json(notSmart).get("error").asText()).isEqualTo("invalid_scope");
	}

	@Test
	void aWrongSecretOrUnknownClientIsAnInvalidClientError() throws Exception {
		HttpResponse<String> wrong = tokenRequest("grant_type=client_credentials", "Authorization", basic("demo-gp", "not-the-secret"));
		assertThat(wrong.statusCode()).isEqualTo(401);
		assertThat(json(wrong).get("error").asText()).isEqualTo("invalid_client");
		HttpResponse<String> unknown = tokenRequest("grant_type=client_credentials", "Authorization", basic("nobody", "nobody-secret"));
		assertThat(unknown.statusCode()).isEqualTo(401);
		assertThat(json(unknown).get("error").asText()).isEqualTo("invalid_client");
	}

	@Test
	void anotherGrantTypeIsRefusedAsOAuth2Says() throws Exception {
		HttpResponse<String> answer = tokenRequest("grant_type=password&username=a&password=b",
				"Authorization", basic("demo-gp", "demo-gp-secret"));
		assertThat(answer.statusCode()).isEqualTo(400);
		assertThat(json(answer).get("error").asText()).isIn("unsupported_grant_type", "unauthorized_client");
	}

	@Test
	void aBackendServicesClientGetsATokenWithAPrivateKeyJwtAssertion() throws Exception {
		String assertion = assertion(BACKEND_KEY, UUID.randomUUID().toString());
		HttpResponse<String> answer = tokenRequest(assertionForm(assertion, "system/Task.rs"));
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		JsonNode token = json(answer);
		assertThat(token.get("scope").asText()).isEqualTo("system/Task.rs");
		assertThat(Http.get(gateway.baseUrl() + "/Task?_count=1", "Authorization", "Bearer " + token.get("access_token").asText()).statusCode())
				.isEqualTo(200);

		HttpResponse<String> replayed = tokenRequest(assertionForm(assertion, "system/Task.rs"));
		assertThat(replayed.statusCode()).as("the same assertion (jti) a second time").isEqualTo(401);
		assertThat(json(replayed).get("error").asText()).isEqualTo("invalid_client");
	}

	@Test
	void anAssertionSignedWithAnotherKeyIsAnInvalidClientError() throws Exception {
		HttpResponse<String> answer = tokenRequest(assertionForm(assertion(TestTokens.generate(), UUID.randomUUID().toString()), null));
		assertThat(answer.statusCode()).isEqualTo(401);
		assertThat(json(answer).get("error").asText()).isEqualTo("invalid_client");
	}

	private static String assertionForm(String assertion, String scope) {
		return "grant_type=client_credentials&client_assertion_type="
				+ URLEncoder.encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", StandardCharsets.UTF_8)
				+ "&client_assertion=" + assertion + (scope == null ? "" : "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8));
	}

	/** A client assertion as SMART Backend Services make one: iss and sub the client, aud the token endpoint, short-lived, RS384. */
	private static String assertion(RSAKey key, String jti) {
		Instant now = Instant.now();
		JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("backend-provider").subject("backend-provider")
				.audience(gateway.tokenEndpoint()).expirationTime(Date.from(now.plusSeconds(300))).issueTime(Date.from(now)).jwtID(jti).build();
		String signed = TestTokens.sign(key, JWSAlgorithm.RS384, claims);
		assertThat(signed).isNotBlank();
		return signed;
	}

}
