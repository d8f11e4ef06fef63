package org.spgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;

/**
 * A BaRS message the database cannot store (its disk full: a test-only trigger raising PostgreSQL's
 * disk_full, SQLSTATE 53100) is answered 503 with Retry-After and the BaRS server-error code, stores
 * nothing, and the same message with the same X-Request-Id is processed once the database has room.
 */
class BarsDatabaseFaultIT {

	static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = GatewayServer.start("gateway.sandbox=true");
	}

	@AfterAll
	static void stop() {
		gateway.close();
	}

	@Test
	void aMessageTheDatabaseCannotStoreIs503WithRetryAfterAndTheSameRequestSucceedsLater() throws Exception {
		BarsMessageIT.Message message = new BarsMessageIT.Message();
		String requestId = UUID.randomUUID().toString();
		sql("CREATE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
				+ " RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$",
				"CREATE TRIGGER test_disk_full BEFORE INSERT ON resource_version FOR EACH ROW EXECUTE FUNCTION test_disk_full()");
		HttpResponse<String> refused;
		try {
			refused = BarsMessageIT.send(gateway, message.body(), "X-Request-Id", requestId);
		} finally {
			sql("DROP TRIGGER test_disk_full ON resource_version", "DROP FUNCTION test_disk_full()");
		}

		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
		assertThat(refused.headers().firstValue("Retry-After")).contains("60");
		OperationOutcome outcome = Http.parse(refused, OperationOutcome.class);
		assertThat(outcome.getIssueFirstRep().getDetails().getCodingFirstRep().getCode()).isEqualTo("REC_SERVER_ERROR");
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("run out of storage space").contains("Nothing was stored");
		assertThat(refused.body()).doesNotContain("SQL").doesNotContain("53100").doesNotContain("No space left");
		Bundle stored = Http.parse(Http.get(gateway.baseUrl() + "/ServiceRequest?_count=0&_total=accurate"), Bundle.class);
		assertThat(stored.getTotal()).as("no referral stored").isZero();

		HttpResponse<String> again = BarsMessageIT.send(gateway, message.body(), "X-Request-Id", requestId);
		assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
		assertThat(Http.parse(Http.get(gateway.baseUrl() + "/ServiceRequest?_count=0&_total=accurate"), Bundle.class).getTotal()).isEqualTo(1);
	}

	private static void sql(String... statements) throws Exception {
		try (Connection c = DriverManager.getConnection(gateway.jdbcUrl(), "postgres", ""); Statement s = c.createStatement()) {
			for (String statement : statements) {
				s.execute(statement);
			}
		}
	}
}
