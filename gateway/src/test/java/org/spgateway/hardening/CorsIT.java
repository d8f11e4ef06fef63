package org.spgateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;

/** With gateway.cors.* set, browser applications from the listed origins may call the gateway, and no others. */
class CorsIT {

	private static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = GatewayServer.start("gateway.sandbox=true",
				"gateway.cors.allowed-origins=https://app.example.org,https://*.partner.example.org",
				"gateway.cors.allowed-methods=GET,POST");
	}

	@AfterAll
	static void stop() {
		gateway.close();
	}

	@Test
	void aListedOriginsPreflightIsAnsweredWithWhatItMaySend() {
		HttpResponse<String> preflight = Http.request("OPTIONS", gateway.baseUrl() + "/Patient", null, "Origin", "https://app.example.org",
				"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type");
		assertThat(preflight.statusCode()).isEqualTo(200);
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example.org");
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).contains("GET,POST");
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase()).contains("authorization")
				.contains("content-type");
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
		SecurityHeadersIT.assertSecurityHeaders(preflight, "no-store");

		HttpResponse<String> pattern = Http.request("OPTIONS", gateway.baseUrl() + "/Patient", null, "Origin",
				"https://gp.partner.example.org", "Access-Control-Request-Method", "GET");
		assertThat(pattern.headers().firstValue("Access-Control-Allow-Origin")).contains("https://gp.partner.example.org");
	}

	@Test
	void aListedOriginReadsTheAnswerAndTheHeadersItNeeds() {
		HttpResponse<String> created = Http.post(gateway.baseUrl() + "/Patient", "{\"resourceType\":\"Patient\",\"active\":true}", "Origin",
				"https://app.example.org");
		assertThat(created.statusCode()).isEqualTo(201);
		assertThat(created.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example.org");
		assertThat(created.headers().firstValue("Access-Control-Expose-Headers").orElse("")).contains("Location").contains("ETag")
				.contains("X-Request-Id");
	}

	@Test
	void anOriginNotListedOrAMethodNotAllowedIsRefused() {
		HttpResponse<String> stranger = Http.request("OPTIONS", gateway.baseUrl() + "/Patient", null, "Origin", "https://evil.example.com",
				"Access-Control-Request-Method", "GET");
		assertThat(stranger.statusCode()).isEqualTo(403);
		assertThat(stranger.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

		HttpResponse<String> read = Http.get(gateway.baseUrl() + "/metadata", "Origin", "https://evil.example.com");
		assertThat(read.statusCode()).isEqualTo(403);
		assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

		HttpResponse<String> put = Http.request("OPTIONS", gateway.baseUrl() + "/Patient/1", null, "Origin", "https://app.example.org",
				"Access-Control-Request-Method", "PUT");
		assertThat(put.statusCode()).isEqualTo(403);
	}
}
