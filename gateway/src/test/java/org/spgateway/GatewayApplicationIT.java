package org.spgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/** The operational endpoints beside /fhir: health (with the database) and Prometheus metrics. */
class GatewayApplicationIT {

	static GatewayServer gateway;
	static String root;

	@BeforeAll
	static void start() {
		gateway = SharedGateway.get();
		root = "http://localhost:" + gateway.port();
	}

	@Test
	void healthIsUpIncludingTheDatabase() throws Exception {
		HttpResponse<String> response = Http.get(root + "/actuator/health");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode health = new ObjectMapper().readTree(response.body());
		assertThat(health.path("status").asText()).isEqualTo("UP");
		assertThat(health.path("components").path("db").path("status").asText()).isEqualTo("UP");
		assertThat(health.path("components").path("db").path("details").path("database").asText()).isEqualTo("PostgreSQL");
		assertThat(Http.get(root + "/actuator/health/liveness").statusCode()).isEqualTo(200);
		assertThat(Http.get(root + "/actuator/health/readiness").statusCode()).isEqualTo(200);
	}

	@Test
	void prometheusServesMetrics() {
		Http.get(gateway.baseUrl() + "/metadata");
		HttpResponse<String> response = Http.get(root + "/actuator/prometheus");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
		assertThat(response.body())
				.contains("jvm_memory_used_bytes")
				.contains("hikaricp_connections_active")
				.contains("http_server_requests_seconds_count")
				.contains("fhir_requests_seconds_count{interaction=\"metadata\"");
	}

	@Test
	void prometheusAnswersInTextWhenAScraperPrefersProtobuf() {
		String prometheus = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,"
				+ "text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
		HttpResponse<String> response = Http.get(root + "/actuator/prometheus", "Accept", prometheus);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
		assertThat(response.body()).contains("jvm_memory_used_bytes");
	}

	@Test
	void prometheusAnswersInTextWhenAScraperAsksForProtobufAlone() {
		HttpResponse<String> response = Http.get(root + "/actuator/prometheus", "Accept",
				"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain;version=0.0.4");
		assertThat(response.body()).contains("jvm_memory_used_bytes");
	}
}
