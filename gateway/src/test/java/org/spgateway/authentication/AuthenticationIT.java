package org.spgateway.authentication;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestSecurityComponent;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SandboxGateway;
import org.spgateway.testsupport.TestTokens;

/**
 * Every boundary of authentication, over HTTP, on a gateway outside sandbox mode that trusts the test
 * issuer only: what answers without a token, and each way a token is refused (401) or falls short (403).
 */
class AuthenticationIT {

	private static final ObjectMapper JSON = new ObjectMapper();

	static GatewayServer gateway;
	static String base;

	@BeforeAll
	static void start() {
		gateway = GatewayServer.start(
				"gateway.security.clients.test-referrer.role=REFERRER",
				"gateway.security.clients.test-referrer.organisations[0].value=A99901");
		base = gateway.baseUrl();
	}

	@AfterAll
	static void stop() {
		gateway.stop();
	}

	private static HttpResponse<String> getWith(String url, String token) {
		return Http.get(url, "Authorization", "Bearer " + token);
	}

	private static void assertRefusedToken(HttpResponse<String> answer, String words) {
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(401);
		assertThat(answer.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer ").contains("error=\"invalid_token\"");
		OperationOutcome outcome = Http.parse(answer, OperationOutcome.class);
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains(words).doesNotContain("Exception").doesNotContain("org.");
	}

	@Test
	void aRequestWithoutATokenIsRefusedWithAChallengeAndAnOperationOutcome() {
		HttpResponse<String> answer = Http.get(base + "/Patient", "Authorization", "");
		assertThat(answer.statusCode()).isEqualTo(401);
		assertThat(answer.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"sp-gateway\"");
		OperationOutcome outcome = Http.parse(answer, OperationOutcome.class);
		assertThat(outcome.getIssueFirstRep().getCode().toCode()).isEqualTo("login");
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("needs an OAuth2 bearer access token");
	}

	@Test
	void aWriteWithoutATokenIsRefusedAndStoresNothing() {
		Patient patient = new Patient();
		patient.addName().setFamily("Unauthenticated-" + System.nanoTime());
		HttpResponse<String> answer = Http.post(base + "/Patient", Http.json(patient), "Authorization", "");
		assertThat(answer.statusCode()).isEqualTo(401);
		Bundle found = Http.parse(Http.get(base + "/Patient?family=" + patient.getNameFirstRep().getFamily()), Bundle.class);
		assertThat(found.getEntry()).isEmpty();
	}

	@Test
	void aTokenSignedWithAnotherKeyIsRefused() {
		String forged = TestTokens.signedByAnotherKey(c -> c.claim("client_id", TestTokens.TEST_ADMIN));
		assertRefusedToken(getWith(base + "/Patient", forged), "signature does not verify");
	}

	@Test
	void aTokenFromAnUntrustedIssuerIsRefused() {
		String token = TestTokens.mint(c -> c.issuer("https://someone-else.example").claim("client_id", TestTokens.TEST_ADMIN));
		assertRefusedToken(getWith(base + "/Patient", token), "not issued by a trusted issuer");
	}

	@Test
	void aTokenForAnotherAudienceIsRefused() {
		String token = TestTokens.mint(c -> c.audience("another-api").claim("client_id", TestTokens.TEST_ADMIN));
		assertRefusedToken(getWith(base + "/Patient", token), "not meant for this gateway");
	}

	@Test
	void anExpiredTokenIsRefused() {
		Instant issued = Instant.now().minusSeconds(4000);
		String token = TestTokens.mint(c -> c.issueTime(Date.from(issued)).notBeforeTime(Date.from(issued))
				.expirationTime(Date.from(Instant.now().minusSeconds(600))).claim("client_id", TestTokens.TEST_ADMIN));
		assertRefusedToken(getWith(base + "/Patient", token), "has expired");
	}

	@Test
	void aTokenNotValidYetIsRefused() {
		String token = TestTokens.mint(c -> c.notBeforeTime(Date.from(Instant.now().plusSeconds(600))).claim("client_id", TestTokens.TEST_ADMIN));
		assertRefusedToken(getWith(base + "/Patient", token), "not valid yet");
	}

	@Test
	void somethingThatIsNotAJwtIsRefused() {
		assertRefusedToken(getWith(base + "/Patient", "not-a-token"), "not a well-formed JWT");
	}

	@Test
	void aSandboxTokenIsRefusedOutsideSandboxMode() {
		String sandboxToken = SandboxGateway.get().tokenFor("demo-tester");
		assertThat(getWith(SandboxGateway.get().baseUrl() + "/Patient?_count=1", sandboxToken).statusCode()).isEqualTo(200);
		assertRefusedToken(getWith(base + "/Patient", sandboxToken), "not issued by a trusted issuer");
	}

	@Test
	void aValidTokenOfAClientNotRegisteredWithTheGatewayIsForbidden() {
		HttpResponse<String> answer = getWith(base + "/Patient", TestTokens.forClient("stranger"));
		assertThat(answer.statusCode()).isEqualTo(403);
		assertThat(Http.parse(answer, OperationOutcome.class).getIssueFirstRep().getDiagnostics())
				.contains("'stranger' is not registered with this gateway");
		assertThat(getWith(base + "/metadata", TestTokens.forClient("stranger")).statusCode()).as("public requests stay public").isEqualTo(200);
	}

	@Test
	void theClientIsNamedByClientIdThenAzpThenSub() {
		String byAzp = TestTokens.mint(c -> c.claim("azp", TestTokens.TEST_ADMIN));
		assertThat(getWith(base + "/Patient?_count=1", byAzp).statusCode()).isEqualTo(200);
		String bySub = TestTokens.mint(c -> c.subject(TestTokens.TEST_ADMIN));
		assertThat(getWith(base + "/Patient?_count=1", bySub).statusCode()).isEqualTo(200);
	}

	@Test
	void aMissingV2ScopeIsForbiddenNamingTheScope() {
		String token = TestTokens.mint(c -> c.claim("client_id", "test-referrer").claim("scope", "system/Patient.rs"));
		assertThat(getWith(base + "/Patient?_count=1", token).statusCode()).isEqualTo(200);
		HttpResponse<String> answer = getWith(base + "/Task?_count=1", token);
		assertThat(answer.statusCode()).isEqualTo(403);
		assertThat(answer.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("insufficient_scope");
		assertThat(Http.parse(answer, OperationOutcome.class).getIssueFirstRep().getDiagnostics())
				.contains("Searching Task needs the scope system/Task.s").contains("system/Task.read in SMART v1");
	}

	@Test
	void aMissingV1ScopeIsForbiddenNamingTheScope() {
		String token = TestTokens.mint(c -> c.claim("client_id", "test-referrer").claim("scope", "system/Patient.read"));
		assertThat(getWith(base + "/Patient?_count=1", token).statusCode()).isEqualTo(200);
		Patient patient = new Patient();
		patient.addName().setFamily("Readonly");
		HttpResponse<String> answer = Http.post(base + "/Patient", Http.json(patient), "Authorization", "Bearer " + token);
		assertThat(answer.statusCode()).isEqualTo(403);
		assertThat(Http.parse(answer, OperationOutcome.class).getIssueFirstRep().getDiagnostics())
				.contains("Creating Patient needs the scope system/Patient.c").contains("system/Patient.write");
	}

	@Test
	void aTransactionEntryWithoutItsScopeRefusesTheWholeTransaction() {
		String token = TestTokens.mint(c -> c.claim("client_id", "test-referrer").claim("scope", "system/Patient.cruds"));
		Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		Patient patient = new Patient();
		patient.addName().setFamily("InTransaction-" + System.nanoTime());
		bundle.addEntry().setFullUrl("urn:uuid:1").setResource(patient).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
		bundle.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Task?status=requested");
		HttpResponse<String> answer = Http.post(base, Http.json(bundle), "Authorization", "Bearer " + token);
		assertThat(answer.statusCode()).isEqualTo(403);
		assertThat(Http.parse(answer, OperationOutcome.class).getIssueFirstRep().getDiagnostics())
				.contains("Entry 1 (GET Task?status=requested) needs the scope system/Task.s");
		Bundle found = Http.parse(Http.get(base + "/Patient?family=" + patient.getNameFirstRep().getFamily()), Bundle.class);
		assertThat(found.getEntry()).isEmpty();
	}

	@Test
	void aBatchEntryWithoutItsScopeIsRefusedOnItsOwn() {
		String token = TestTokens.mint(c -> c.claim("client_id", "test-referrer").claim("scope", "system/Patient.rs"));
		Bundle bundle = new Bundle().setType(Bundle.BundleType.BATCH);
		bundle.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Patient?_count=1");
		bundle.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Task?_count=1");
		HttpResponse<String> answer = Http.post(base, Http.json(bundle), "Authorization", "Bearer " + token);
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		Bundle response = Http.parse(answer, Bundle.class);
		assertThat(response.getEntry().get(0).getResponse().getStatus()).startsWith("200");
		assertThat(response.getEntry().get(1).getResponse().getStatus()).startsWith("403");
	}

	@Test
	void theCapabilityStatementAndConformanceResourcesAnswerWithoutAToken() {
		assertThat(Http.get(base + "/metadata", "Authorization", "").statusCode()).isEqualTo(200);
		assertThat(Http.get(base + "/StructureDefinition?_count=1", "Authorization", "").statusCode()).isEqualTo(200);
		assertThat(Http.get(base + "/Questionnaire?_count=1", "Authorization", "").statusCode()).isEqualTo(200);
		assertThat(Http.get(base + "/CodeSystem?_count=1", "Authorization", "").statusCode()).isEqualTo(200);
		assertThat(Http.get(base.replace("/fhir", "") + "/actuator/health/liveness", "Authorization", "").statusCode()).isEqualTo(200);
		assertThat(Http.get(base.replace("/fhir", "") + "/actuator/health/readiness", "Authorization", "").statusCode()).isEqualTo(200);
	}

	@Test
	void conformanceSearchesThatReachOtherResourcesAndOperationsNeedAToken() {
		assertThat(Http.get(base + "/Questionnaire?_revinclude=QuestionnaireResponse:questionnaire", "Authorization", "").statusCode())
				.isEqualTo(401);
		assertThat(Http.get(base + "/ConceptMap/$translate?code=x&system=y", "Authorization", "").statusCode()).isEqualTo(401);
	}

	@Test
	void metricsAreForAdministrators() {
		String root = base.replace("/fhir", "");
		assertThat(Http.get(root + "/actuator/prometheus", "Authorization", "").statusCode()).isEqualTo(401);
		String referrer = TestTokens.forClient("test-referrer");
		assertThat(getWith(root + "/actuator/prometheus", referrer).statusCode()).isEqualTo(403);
		assertThat(getWith(root + "/actuator/prometheus", TestTokens.forClient(TestTokens.TEST_ADMIN)).statusCode()).isEqualTo(200);
	}

	@Test
	void theCapabilityStatementAdvertisesSmartOnFhirSecurity() {
		HttpResponse<String> metadata = Http.get(SandboxGateway.get().baseUrl() + "/metadata", "Authorization", "");
		CapabilityStatement cs = Http.parse(metadata, CapabilityStatement.class);
		CapabilityStatementRestSecurityComponent security = cs.getRestFirstRep().getSecurity();
		assertThat(security.getServiceFirstRep().getCodingFirstRep().getCode()).isEqualTo("SMART-on-FHIR");
		assertThat(security.getServiceFirstRep().getCodingFirstRep().getSystem())
				.isEqualTo("http://terminology.hl7.org/CodeSystem/restful-security-service");
		String token = security.getExtensionByUrl("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris")
				.getExtensionByUrl("token").getValue().primitiveValue();
		assertThat(token).isEqualTo("http://localhost:" + SandboxGateway.get().port() + "/oauth2/token");
		assertThat(security.getDescription()).contains("bearer access token").doesNotContain("No authentication");
	}

	@Test
	void smartConfigurationNamesTheTokenEndpointGrantAuthMethodsScopesAndCapabilities() throws Exception {
		GatewayServer sandbox = SandboxGateway.get();
		for (String url : new String[] {sandbox.baseUrl() + "/.well-known/smart-configuration",
				"http://localhost:" + sandbox.port() + "/.well-known/smart-configuration"}) {
			HttpResponse<String> answer = Http.get(url, "Authorization", "");
			assertThat(answer.statusCode()).isEqualTo(200);
			assertThat(answer.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
			JsonNode config = JSON.readTree(answer.body());
			assertThat(config.get("token_endpoint").asText()).isEqualTo(sandbox.tokenEndpoint());
			assertThat(config.get("grant_types_supported").toString()).isEqualTo("[\"client_credentials\"]");
			assertThat(config.get("token_endpoint_auth_methods_supported").toString())
					.contains("client_secret_basic", "client_secret_post", "private_key_jwt");
			assertThat(config.get("scopes_supported").toString()).contains("system/*.cruds", "system/*.read");
			assertThat(config.get("capabilities").toString()).contains("client-confidential-symmetric", "client-confidential-asymmetric",
					"permission-v1", "permission-v2");
		}
		JsonNode outside = JSON.readTree(Http.get(base + "/.well-known/smart-configuration", "Authorization", "").body());
		assertThat(outside.has("token_endpoint")).as("no identity provider's token endpoint is configured on this gateway").isFalse();
	}
}
