package org.spgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.spgateway.intake.TestNhsNumbers;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The hash chain with two gateway instances on one database: both append to one chain that verifies,
 * and a change made to a stored AuditEvent behind the API's back, or a link removed, is found and named
 * by AuditEvent/$verify-chain. A stored event re-serialised without a change in meaning still verifies. A write's
 * event is in the database when the write is answered; what is only queued is written on a graceful stop.
 */
class AuditChainIT {

	@Test
	void twoInstancesKeepOneChainAndTamperingIsNamed() throws Exception {
		try (GatewayServer a = GatewayServer.start("gateway.audit.flush-interval=50ms");
				GatewayServer b = GatewayServer.startOn(a.jdbcUrl(), "gateway.audit.flush-interval=50ms")) {
			ExecutorService clients = Executors.newFixedThreadPool(4);
			List<Future<Integer>> answers = new ArrayList<>();
			for (int i = 0; i < 40; i++) {
				GatewayServer to = i % 2 == 0 ? a : b;
				String path = i % 4 < 2 ? "/metadata" : "/Patient?_count=1";
				answers.add(clients.submit(() -> Http.get(to.baseUrl() + path).statusCode()));
			}
			for (Future<Integer> answer : answers) {
				assertThat(answer.get()).isEqualTo(200);
			}
			clients.shutdown();
			JdbcTemplate jdbc = a.bean(JdbcTemplate.class);
			await().atMost(Duration.ofSeconds(20)).until(() -> count(jdbc, "SELECT count(*) FROM audit_event") >= 40);
			assertThat(count(jdbc, "SELECT count(DISTINCT seq) FROM audit_event")).isEqualTo(count(jdbc, "SELECT max(seq) FROM audit_event"));

			Parameters valid = verify(b, "");
			assertThat(valid.getParameterBool("valid")).as(describe(valid)).isTrue();
			assertThat(number(valid, "checked")).isGreaterThanOrEqualTo(40);

			// Re-serialised by PostgreSQL (key order and spacing change, the meaning does not): still valid.
			jdbc.update("UPDATE audit_event SET content = convert_to(convert_from(content, 'UTF8')::jsonb::text, 'UTF8') WHERE seq = 4");
			assertThat(verify(a, "").getParameterBool("valid")).isTrue();

			String tampered = jdbc.queryForObject("SELECT event_id FROM audit_event WHERE seq = 5", String.class);
			jdbc.update("UPDATE audit_event SET content = convert_to(jsonb_set(convert_from(content, 'UTF8')::jsonb, '{outcome}', '\"4\"')::text,"
					+ " 'UTF8') WHERE seq = 5");
			Parameters broken = verify(a, "");
			assertThat(broken.getParameterBool("valid")).isFalse();
			Parameters.ParametersParameterComponent link = broken.getParameter("brokenLink");
			assertThat(((DecimalType) link.getPart().stream().filter(p -> p.getName().equals("sequence")).findFirst().orElseThrow().getValue())
					.getValue().intValue()).isEqualTo(5);
			assertThat(((Reference) link.getPart().stream().filter(p -> p.getName().equals("auditEvent")).findFirst().orElseThrow().getValue())
					.getReference()).isEqualTo("AuditEvent/" + tampered);
			assertThat(link.getPart().stream().filter(p -> p.getName().equals("problem")).findFirst().orElseThrow().getValue().primitiveValue())
					.contains("has been changed since it was recorded");
			assertThat(number(broken, "checked")).isEqualTo(4);

			// Past the changed event, a link removed is named too.
			jdbc.update("DELETE FROM audit_event WHERE seq = 9");
			Parameters gap = verify(a, "?from=6");
			assertThat(gap.getParameterBool("valid")).isFalse();
			assertThat(describe(gap)).contains("Link 9 is missing: the chain jumps from 8 to 10");
			assertThat(Http.get(a.baseUrl() + "/AuditEvent/$verify-chain?from=1.5").statusCode()).isEqualTo(400);
		}
	}

	@Test
	void aWritesEventCommitsWithTheWriteAndAGracefulStopWritesWhatIsQueued() {
		try (GatewayServer gateway = GatewayServer.start("gateway.sandbox=true", "gateway.audit.flush-interval=1h",
				"gateway.audit.pending-poll-interval=1h")) {
			JdbcTemplate jdbc = gateway.bean(JdbcTemplate.class);
			long before = count(jdbc, "SELECT count(*) FROM audit_event");
			String created = UUID.randomUUID().toString();
			HttpResponse<String> response = Http.post(gateway.baseUrl() + "/Patient", AuditTrailIT.patient(TestNhsNumbers.next()),
					"X-Request-Id", created);
			assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
			String read = UUID.randomUUID().toString();
			assertThat(Http.get(gateway.baseUrl() + "/metadata", "X-Request-Id", read).statusCode()).isEqualTo(200);

			// Answered 201: the create's event is already in the database, committed with the Patient; the read's is only queued.
			assertThat(jdbc.queryForList("SELECT content FROM audit_pending", String.class)).singleElement().asString().contains(created);
			assertThat(count(jdbc, "SELECT count(*) FROM audit_event")).isEqualTo(before);

			gateway.restart();
			jdbc = gateway.bean(JdbcTemplate.class);
			assertThat(count(jdbc, "SELECT count(*) FROM audit_pending")).isZero();
			assertThat(contents(jdbc)).anyMatch(c -> c.contains(created)).anyMatch(c -> c.contains(read));
			assertThat(verify(gateway, "").getParameterBool("valid")).isTrue();
		}
	}

	/** The stored content of every chained AuditEvent. */
	static List<String> contents(JdbcTemplate jdbc) {
		return jdbc.queryForList("SELECT convert_from(content, 'UTF8') FROM audit_event", String.class);
	}

	static Parameters verify(GatewayServer gateway, String query) {
		HttpResponse<String> response = Http.get(gateway.baseUrl() + "/AuditEvent/$verify-chain" + query);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Http.parse(response, Parameters.class);
	}

	static long number(Parameters parameters, String name) {
		return ((DecimalType) parameters.getParameter(name).getValue()).getValue().longValue();
	}

	static String describe(Parameters parameters) {
		return GatewayServer.fhirContext().newJsonParser().encodeResourceToString(parameters);
	}

	static long count(JdbcTemplate jdbc, String sql) {
		Long n = jdbc.queryForObject(sql, Long.class);
		return n == null ? 0 : n;
	}
}
