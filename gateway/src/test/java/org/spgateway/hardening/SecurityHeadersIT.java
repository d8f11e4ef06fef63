package org.spgateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/** Every response carries the security headers, FHIR or not, answer or error; none names the software's version. */
class SecurityHeadersIT {

	private static final GatewayServer GATEWAY = SharedGateway.get();
	private static final String API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

	@Test
	void aClinicalReadCarriesEverySecurityHeaderAndMayNotBeStored() {
		String id = Http.parse(Http.post(GATEWAY.baseUrl() + "/Patient", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Headers\"}]}"),
				Patient.class).getIdElement().getIdPart();
		HttpResponse<String> read = Http.get(GATEWAY.baseUrl() + "/Patient/" + id);
		assertThat(read.statusCode()).isEqualTo(200);
		assertSecurityHeaders(read, "no-store");
		assertThat(read.headers().firstValue("Content-Security-Policy")).contains(API_POLICY);
		assertSecurityHeaders(Http.get(GATEWAY.baseUrl() + "/Patient?family=Headers"), "no-store");
	}

	@Test
	void theCapabilityStatementAndPublicConformanceResourcesMayBeCachedBriefly() {
		assertSecurityHeaders(Http.get(GATEWAY.baseUrl() + "/metadata"), "public, max-age=60");
		HttpResponse<String> profile = Http.get(GATEWAY.baseUrl() + "/StructureDefinition?_count=1");
		assertThat(profile.statusCode()).isEqualTo(200);
		assertSecurityHeaders(profile, "public, max-age=60");
		assertSecurityHeaders(Http.get(GATEWAY.baseUrl() + "/Questionnaire?_revinclude=QuestionnaireResponse:questionnaire"), "no-store");
		// An error is never cached, not even on a public path.
		HttpResponse<String> missing = Http.get(GATEWAY.baseUrl() + "/StructureDefinition/no-such-profile");
		assertThat(missing.statusCode()).isEqualTo(404);
		assertSecurityHeaders(missing, "no-store");
	}

	@Test
	void aRefusalAnsweredByTheFhirServerCarriesEachHeaderOnce() {
		// A referrer may not write the directory: refused by the request gate inside the FHIR server, 403.
		HttpResponse<String> refused = Http.post(GATEWAY.baseUrl() + "/Organization", "{\"resourceType\":\"Organization\",\"name\":\"x\"}",
				"Authorization", "Bearer " + GATEWAY.tokenFor("demo-gp"));
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
		assertSecurityHeaders(refused, "no-store");
	}

	@Test
	void errorsAndPagesOutsideFhirCarryTheHeadersToo() {
		HttpResponse<String> missing = Http.get(GATEWAY.baseUrl() + "/Patient/no-such-patient");
		assertThat(missing.statusCode()).isEqualTo(404);
		assertSecurityHeaders(missing, "no-store");

		HttpResponse<String> refused = Http.post(GATEWAY.baseUrl() + "/Patient", "{not json");
		assertThat(refused.statusCode()).isEqualTo(400);
		assertSecurityHeaders(refused, "no-store");

		HttpResponse<String> health = Http.get("http://localhost:" + GATEWAY.port() + "/actuator/health");
		assertThat(health.statusCode()).isEqualTo(200);
		assertSecurityHeaders(health, "no-store");

		// Spring's own 404, answered on the error dispatch after Tomcat reset the response.
		HttpResponse<String> nowhere = Http.get("http://localhost:" + GATEWAY.port() + "/no-such-page");
		assertThat(nowhere.statusCode()).isEqualTo(404);
		assertSecurityHeaders(nowhere, "no-store");

		HttpResponse<String> root = Http.get("http://localhost:" + GATEWAY.port() + "/");
		assertThat(root.statusCode()).isEqualTo(302);
		assertSecurityHeaders(root, "no-store");
	}

	@Test
	void aRequestTomcatRefusesBeforeTheApplicationStillCarriesTheHeaders() {
		String answer = Http.raw(GATEWAY.port(), "GET /fhir/Patient?name=a\u0001b HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
		assertThat(answer).startsWith("HTTP/1.1 400");
		String headers = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT);
		assertThat(headers).contains("x-content-type-options: nosniff").contains("cache-control: no-store")
				.contains("x-frame-options: deny").contains("content-security-policy: default-src 'none'")
				.doesNotContain("x-powered-by").doesNotContain("\r\nserver:");
	}

	@Test
	void theApiExplorerRunsOnlyItsOwnScripts() throws Exception {
		HttpResponse<String> page = Http.get(GATEWAY.baseUrl() + "/swagger-ui/", "Accept", "text/html");
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
		assertSecurityHeaders(page, "no-store");
		String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
		String scripts = directive(policy, "script-src");
		assertThat(scripts).doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
		Matcher inline = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL).matcher(page.body());
		assertThat(inline.find()).as("the explorer page has an inline script").isTrue();
		assertThat(scripts).isEqualTo("script-src 'self' 'sha256-" + sha256(inline.group(1)) + "'");
		assertThat(directive(policy, "frame-ancestors")).isEqualTo("frame-ancestors 'none'");
		assertThat(directive(policy, "connect-src")).isEqualTo("connect-src 'self'");
		// The page's content arrives whole although it was held to name its scripts.
		assertThat(page.headers().firstValueAsLong("Content-Length").orElse(-1)).isEqualTo(page.body().getBytes(StandardCharsets.UTF_8).length);
		assertThat(page.body()).contains("swagger-ui-bundle.js").endsWith("</html>\n");
	}

	@Test
	void aFileTheApiExplorerDoesNotHaveIsNotFoundNotAServerError() {
		HttpResponse<String> missing = Http.get(GATEWAY.baseUrl() + "/swagger-ui/nothing.js");
		assertThat(missing.statusCode()).isEqualTo(404);
		assertThat(Http.parse(missing, OperationOutcome.class).getIssueFirstRep().getDiagnostics()).isEqualTo("The API explorer has no such file");
		assertThat(Http.get(GATEWAY.baseUrl() + "/swagger-ui/swagger-ui-bundle.js").statusCode()).isEqualTo(200);
	}

	@Test
	void theBrowserViewOfAResourceRunsOnlyItsOwnScripts() throws Exception {
		HttpResponse<String> page = Http.get(GATEWAY.baseUrl() + "/metadata", "Accept", "text/html");
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
		String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
		Matcher inline = Pattern.compile("<script type=\"text/javascript\">(.*?)</script>", Pattern.DOTALL).matcher(page.body());
		assertThat(inline.find()).isTrue();
		assertThat(directive(policy, "script-src")).contains("'sha256-" + sha256(inline.group(1)) + "'").doesNotContain("unsafe-inline");
	}

	@Test
	void noResponseNamesTheServerSoftwareOrItsVersion() {
		for (String url : new String[] {GATEWAY.baseUrl() + "/metadata", GATEWAY.baseUrl() + "/Patient/none",
				"http://localhost:" + GATEWAY.port() + "/actuator/health", GATEWAY.baseUrl() + "/swagger-ui/"}) {
			HttpResponse<String> answer = Http.get(url);
			assertThat(answer.headers().firstValue("X-Powered-By")).as(url).isEmpty();
			assertThat(answer.headers().firstValue("Server")).as(url).isEmpty();
		}
	}

	@Test
	void corsIsOffByDefault() {
		HttpResponse<String> preflight = Http.request("OPTIONS", GATEWAY.baseUrl() + "/Patient", null, "Origin", "https://app.example.org",
				"Access-Control-Request-Method", "GET");
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
		HttpResponse<String> read = Http.get(GATEWAY.baseUrl() + "/metadata", "Origin", "https://app.example.org");
		assertThat(read.statusCode()).isEqualTo(200);
		assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
	}

	static void assertSecurityHeaders(HttpResponse<String> response, String cacheControl) {
		String what = response.request().method() + " " + response.uri() + " " + response.statusCode();
		// Each exactly once: an error answered by the FHIR server once carried three of them twice.
		assertThat(response.headers().allValues("X-Content-Type-Options")).as(what).containsExactly("nosniff");
		assertThat(response.headers().allValues("X-Frame-Options")).as(what).containsExactly("DENY");
		assertThat(response.headers().allValues("Referrer-Policy")).as(what).containsExactly("no-referrer");
		assertThat(response.headers().allValues("Cache-Control")).as(what).containsExactly(cacheControl);
		assertThat(response.headers().allValues("Content-Security-Policy")).as(what).hasSize(1);
		assertThat(response.headers().firstValue("X-Powered-By")).as(what).isEmpty();
	}

	private static String directive(String policy, String name) {
		for (String directive : policy.split(";")) {
			if (directive.trim().startsWith(name + " ")) {
				return directive.trim();
			}
		}
		return "";
	}

	private static String sha256(String text) throws Exception {
		return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
	}
}
