package org.spgateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.fhir.RequestDeadline;
import org.spgateway.testsupport.Errors;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * No request holds a worker or a database connection past gateway.limits.request-timeout: a gateway
 * configured with a budget far smaller than a large transaction needs answers 503 with an
 * OperationOutcome and stores nothing, and a database statement run for a request is cancelled by
 * PostgreSQL when the request's budget runs out.
 */
class RequestBudgetIT {

	private static final String MARKER_SYSTEM = "https://example.org/request-budget-it";

	static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = GatewayServer.start("gateway.limits.request-timeout=50ms");
	}

	@AfterAll
	static void stop() {
		gateway.stop();
	}

	@Test
	void aRequestOverItsBudgetIs503AndStoresNothing() {
		String marker = UUID.randomUUID().toString();
		StringBuilder entries = new StringBuilder();
		// 300 Patients: parsing and validating them alone takes far longer than 50 ms.
		for (int i = 0; i < 300; i++) {
			entries.append(i == 0 ? "" : ",").append("{\"resource\":{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"")
					.append(MARKER_SYSTEM).append("\",\"value\":\"").append(marker).append("\"}],\"name\":[{\"family\":\"Budget").append(i)
					.append("\"}]},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}");
		}
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + entries + "]}";
		HttpResponse<String> response = Http.post(gateway.baseUrl(), transaction);
		OperationOutcome outcome = Errors.outcome(response, 503);
		assertThat(outcome.getIssueFirstRep().getCode().toCode()).isEqualTo("timeout");
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("50 ms").contains("nothing was stored");
		assertThat(response.headers().firstValue("Retry-After")).isPresent();
		// Counted directly in the database: this thread serves no request, so it has no budget.
		Long stored = gateway.bean(JdbcTemplate.class).queryForObject(
				"SELECT count(*) FROM idx_token WHERE res_type = 'Patient' AND code = ?", Long.class, marker);
		assertThat(stored).isZero();
	}

	@Test
	void aStatementOutlivingItsRequestsBudgetIsCancelledByTheDatabase() {
		JdbcTemplate jdbc = gateway.bean(JdbcTemplate.class);
		long started = System.nanoTime();
		RequestDeadline.start(Duration.ofMillis(300));
		Throwable failure;
		try {
			failure = catchThrowable(() -> jdbc.queryForObject("SELECT pg_sleep(20)::text", String.class));
		} finally {
			RequestDeadline.end();
		}
		assertThat(failure).isNotNull();
		assertThat(RequestDeadline.cutOff(failure)).as("cancelled by its timeout: %s", failure).isTrue();
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
		// The connection went back to the pool in working order.
		assertThat(jdbc.queryForObject("SELECT 1", Integer.class)).isEqualTo(1);
	}
}
