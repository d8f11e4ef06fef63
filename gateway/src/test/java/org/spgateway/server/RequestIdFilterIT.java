package org.spgateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.config.GatewayProperties;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/** Every answer carries exactly one X-Request-Id and one X-Correlation-Id. */
class RequestIdFilterIT {

	private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

	static GatewayServer gateway;
	static String base;

	@BeforeAll
	static void start() {
		gateway = SharedGateway.get();
		base = gateway.baseUrl();
	}

	private static String only(HttpResponse<String> response, String header) {
		List<String> values = response.headers().allValues(header);
		assertThat(values).as("%s headers on %s %s", header, response.request().method(), response.request().uri()).hasSize(1);
		return values.get(0);
	}

	@Test
	void aCallersValidRequestIdAndCorrelationIdAreEchoed() {
		String requestId = UUID.randomUUID().toString();
		String correlationId = UUID.randomUUID().toString();
		HttpResponse<String> response = Http.get(base + "/Patient?_count=1", "X-Request-Id", requestId, "X-Correlation-Id", correlationId);
		assertThat(only(response, "X-Request-Id")).isEqualTo(requestId);
		assertThat(only(response, "X-Correlation-Id")).isEqualTo(correlationId);
	}

	@Test
	void anInvalidRequestIdIsReplacedByANewUuid() {
		HttpResponse<String> response = Http.get(base + "/metadata", "X-Request-Id", "not-a-uuid; DROP TABLE");
		assertThat(only(response, "X-Request-Id")).matches(UUID_PATTERN).isNotEqualTo("not-a-uuid; DROP TABLE");
	}

	@Test
	void requestsWithoutIdsGetGeneratedOnes() {
		HttpResponse<String> first = Http.get(base + "/metadata");
		HttpResponse<String> second = Http.get(base + "/metadata");
		assertThat(only(first, "X-Request-Id")).matches(UUID_PATTERN).isNotEqualTo(only(second, "X-Request-Id"));
		assertThat(only(first, "X-Correlation-Id")).matches(UUID_PATTERN);
	}

	@Test
	void correlationIdsNeedNotBeUuidsButMustBeSafeTokens() {
		HttpResponse<String> token = Http.get(base + "/metadata", "X-Correlation-Id", "GP-SYSTEM.batch_42:7");
		assertThat(only(token, "X-Correlation-Id")).isEqualTo("GP-SYSTEM.batch_42:7");
		HttpResponse<String> unsafe = Http.get(base + "/metadata", "X-Correlation-Id", "line1\tinjected");
		assertThat(only(unsafe, "X-Correlation-Id")).matches(UUID_PATTERN);
	}

	@Test
	void idsAreOnEveryKindOfAnswer() {
		String requestId = UUID.randomUUID().toString();
		String[] headers = {"X-Request-Id", requestId, "X-Correlation-Id", "corr-" + requestId};
		int tooLarge = (int) gateway.bean(GatewayProperties.class).getLimits().getMaxBodyBytes() + 1;
		List<HttpResponse<String>> answers = List.of(
				Http.post(base + "/Patient", "{\"resourceType\":\"Patient\"}", headers),
				Http.get(base + "/Patient/" + UUID.randomUUID(), headers),
				Http.post(base + "/Patient", "{not json", headers),
				Http.post(base + "/Patient", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + "x".repeat(tooLarge) + "\"}]}", headers),
				Http.get(base + "/Patient?nonsense=1", headers),
				Http.delete(base + "/Patient/x", headers),
				Http.get("http://localhost:" + gateway.port() + "/actuator/health", headers));
		for (HttpResponse<String> answer : answers) {
			assertThat(only(answer, "X-Request-Id")).isEqualTo(requestId);
			assertThat(only(answer, "X-Correlation-Id")).isEqualTo("corr-" + requestId);
		}
	}
}
