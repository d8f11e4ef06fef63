package org.spgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.HookReceiver;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.StatementCounting;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What one REST referral costs PostgreSQL, counted at the JDBC driver's door: the intake's statements and
 * commits on the request's thread, and each notification's on the outbox's threads (issue 14's budget: at
 * most 4 statements and 1 commit to take a referral in, 2 statements to deliver its notification), with
 * authentication, organisation scoping and audit on as always.
 */
class WriteBudgetIT {

	static final Duration WAIT = Duration.ofSeconds(45);
	static GatewayServer gateway;
	static HookReceiver receiver;
	static String patientId;
	static String subscriptionId;

	@BeforeAll
	static void start() {
		receiver = HookReceiver.start();
		// The delivery loop's poll (for other instances' messages) is made rare, so that what is counted is what deliveries cost.
		gateway = GatewayServer.startWith(new Class<?>[] {StatementCounting.class}, "gateway.sandbox=true",
				"gateway.notifications.require-https=false", "gateway.notifications.subscription-refresh=200ms",
				"gateway.notifications.delivery.poll-interval=30s");
		HttpResponse<String> subscription = Http.post(gateway.baseUrl() + "/Subscription", """
				{"resourceType":"Subscription","status":"requested","reason":"Statement budget",
				 "criteria":"Task?owner:identifier=https://fhir.nhs.uk/Id/ods-organization-code|X99901",
				 "channel":{"type":"rest-hook","endpoint":"%s","payload":"application/fhir+json"}}
				""".formatted(receiver.url("/hooks")), "Content-Type", "application/fhir+json");
		assertThat(subscription.statusCode()).isEqualTo(201);
		subscriptionId = subscription.headers().firstValue("Location").orElseThrow().replaceAll(".*/Subscription/([^/]+)/.*", "$1");
		HttpResponse<String> patient = Http.post(gateway.baseUrl() + "/Patient", """
				{"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],
				 "name":[{"family":"Budget","given":["Pat"]}],"birthDate":"1968-04-12"}
				""", "Content-Type", "application/fhir+json");
		assertThat(patient.statusCode()).isEqualTo(201);
		patientId = patient.headers().firstValue("Location").orElseThrow().replaceAll(".*/Patient/([^/]+)/.*", "$1");
	}

	@AfterAll
	static void stop() {
		gateway.close();
		receiver.close();
	}

	@Test
	void aRestReferralTakesAtMostFourStatementsAndOneCommitAndItsNotificationTwoStatements() throws Exception {
		// The first referrals warm up what is fetched once (the key block, directory caches, the Subscription's owner).
		int delivered = receiver.await(r -> r.path().startsWith("/hooks/Task/"), 0, Duration.ZERO).size();
		for (int i = 0; i < 3; i++) {
			refer();
		}
		awaitDelivered(delivered + 3);
		Thread.sleep(1000);

		StatementCounting.reset();
		HttpResponse<String> answer = refer();
		List<StatementCounting.Sent> intake = StatementCounting.sentBy(StatementCounting::requestThread);
		for (int i = 0; i < 4; i++) {
			refer();
		}
		awaitDelivered(delivered + 8);
		Thread.sleep(1000);
		List<StatementCounting.Sent> delivery = StatementCounting.sentBy(t -> t.startsWith("outbox-"));

		assertThat(answer.statusCode()).isEqualTo(201);
		List<String> statements = StatementCounting.statements(intake);
		System.out.printf("REST referral: %d statements, %d commit(s) on the request's thread; 5 notifications: %d statements%n",
				statements.size(), StatementCounting.commits(intake), StatementCounting.statements(delivery).size());
		assertThat(statements).as("the intake's statements: %s", String.join("\n", statements)).hasSizeLessThanOrEqualTo(4);
		assertThat(StatementCounting.commits(intake)).as("the intake's commits: %s", intake).isEqualTo(1);
		// Five notifications: a claim and a recording each at most (several may share one), and nothing else: no nudge of its
		// own, no claim after a delivery that frees nothing.
		List<String> sent = StatementCounting.statements(delivery);
		assertThat(sent).as("the deliveries' statements: %s", delivery).hasSizeLessThanOrEqualTo(10);
		assertThat(sent.stream().filter(sql -> sql.startsWith("WITH due AS")).count()).as("claims: %s", delivery).isLessThanOrEqualTo(5);
		assertThat(sent.stream().filter(sql -> sql.startsWith("WITH a AS")).count()).as("recordings: %s", delivery).isLessThanOrEqualTo(5);
		assertThat(sent).as("the deliveries' statements: %s", delivery).allMatch(sql -> sql.startsWith("WITH due AS") || sql.startsWith("WITH a AS"));
	}

	@Test
	void aRestReferralIndexesItsPatientOncePerResourceAndWritesNoMoreRowsThanCounted() {
		HttpResponse<String> answer = refer();
		assertThat(answer.statusCode()).isEqualTo(201);
		String referralId = answer.headers().firstValue("Location").orElseThrow().replaceAll(".*/ServiceRequest/([^/]+)/.*", "$1");
		JdbcTemplate jdbc = gateway.bean(JdbcTemplate.class);
		String taskId = jdbc.queryForObject("SELECT task_id FROM referral_intake WHERE service_request_id = ?", String.class, referralId);
		// The referral, its Task and the Provenance of both.
		List<Long> pks = jdbc.queryForList("SELECT res_pk FROM resource WHERE (res_type = 'ServiceRequest' AND res_id = ?) OR (res_type = 'Task'"
				+ " AND res_id = ?) OR res_pk IN (SELECT x.res_pk FROM idx_reference x WHERE x.res_type = 'Provenance' AND x.param = 'target'"
				+ " AND x.target_type = 'ServiceRequest' AND x.target_id = ?)", Long.class, referralId, taskId, referralId);
		assertThat(pks).hasSize(3);
		Long[] keys = pks.toArray(Long[]::new);

		// Subject and patient name the same Patient on the referral and on its Task: one row each, under the narrower name.
		List<String> patientRows = jdbc.queryForList("SELECT res_type || ' ' || param FROM idx_reference WHERE res_pk = ANY(?)"
				+ " AND target_type = 'Patient' ORDER BY 1", String.class, (Object) keys);
		assertThat(patientRows).containsExactly("ServiceRequest patient", "Task patient");
		// And the referral is still found by either.
		for (String parameter : List.of("subject", "patient")) {
			String query = "/ServiceRequest?_id=" + referralId + "&" + parameter + "=Patient/" + patientId;
			HttpResponse<String> found = Http.get(gateway.baseUrl() + query);
			assertThat(Http.parse(found, Bundle.class).getEntry()).as(parameter).hasSize(1);
		}

		// What this referral writes in index and access rows (docs/performance.md, "Write cost per referral, stop 12"): 26 index rows
		// before that stop, two of them its Patient said again as subject.
		int indexRows = 0;
		for (String table : List.of("idx_token", "idx_string", "idx_reference", "idx_date", "idx_number", "idx_quantity", "idx_uri")) {
			indexRows += jdbc.queryForObject("SELECT count(*) FROM " + table + " WHERE res_pk = ANY(?)", Integer.class, (Object) keys);
		}
		int accessRows = jdbc.queryForObject("SELECT count(*) FROM resource_access WHERE res_pk = ANY(?)", Integer.class, (Object) keys);
		System.out.printf("REST referral: %d index rows, %d access rows for its 3 resources%n", indexRows, accessRows);
		assertThat(indexRows).isLessThanOrEqualTo(24);
		assertThat(accessRows).isLessThanOrEqualTo(6);
	}

	@Test
	void aTransactionReferralCommitsOnceWithEveryWriteInOneStatement() throws Exception {
		String template = Files.readString(Path.of("../docs/examples/benchmark/transaction-referral.template.json"));
		send(template.replace("${NHS}", nhsNumber()).replace("${REF}", UUID.randomUUID().toString()));

		StatementCounting.reset();
		HttpResponse<String> answer = send(template.replace("${NHS}", nhsNumber()).replace("${REF}", UUID.randomUUID().toString()));
		List<StatementCounting.Sent> intake = StatementCounting.sentBy(StatementCounting::requestThread);

		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		List<String> statements = StatementCounting.statements(intake);
		System.out.printf("Transaction referral: %d statements, %d commit(s)%n", statements.size(), StatementCounting.commits(intake));
		assertThat(StatementCounting.commits(intake)).as("the transaction's commits: %s", intake).isEqualTo(1);
		// The lookups a transaction makes (the Patient by NHS number, the referral's identifier), then one combined write.
		assertThat(statements.stream().filter(sql -> sql.startsWith("WITH w0 AS (INSERT")).count()).as(String.join("\n", statements))
				.isEqualTo(1);
	}

	@Test
	void aNotificationQueuedBeforeTheUpgradeWithItsPayloadCopiedIsStillDelivered() {
		// Rows written before V100 carry the payload itself and no pointer to a stored version.
		String body = "{\"resourceType\":\"Task\",\"id\":\"legacy-1\",\"status\":\"requested\",\"intent\":\"order\"}";
		gateway.bean(JdbcTemplate.class).update("INSERT INTO outbox_message (channel, ordering_key, subject, method, url, content_type, body,"
				+ " correlation_id, give_up_at) VALUES (?, ?, 'Task/legacy-1/_history/1', 'PUT', ?, 'application/fhir+json', ?, ?,"
				+ " now() + interval '1 hour')",
				"Subscription/" + subscriptionId, "Subscription/" + subscriptionId + "|Task/legacy-1", receiver.url("/legacy/Task/legacy-1"), body,
				UUID.randomUUID().toString());
		// Committed outside the gateway's own transactions, so nothing wakes the loop: its poll finds the row.
		List<HookReceiver.Received> got = receiver.await(r -> r.path().equals("/legacy/Task/legacy-1"), 1, WAIT);
		assertThat(got).hasSize(1);
		assertThat(got.get(0).body()).isEqualTo(body);
	}

	private static HttpResponse<String> send(String transaction) {
		return Http.post(gateway.baseUrl(), transaction, "Content-Type", "application/fhir+json");
	}

	/** A random NHS number in the 999 test range with a valid Modulus 11 check digit. */
	private static String nhsNumber() {
		while (true) {
			String nine = "999" + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
			int sum = 0;
			for (int i = 0; i < 9; i++) {
				sum += (nine.charAt(i) - '0') * (10 - i);
			}
			int check = (11 - sum % 11) % 11;
			if (check != 10) {
				return nine + check;
			}
		}
	}

	private static HttpResponse<String> refer() {
		return Http.post(gateway.baseUrl() + "/ServiceRequest", """
				{"resourceType":"ServiceRequest",
				 "identifier":[{"system":"https://fhir.a99901.example.nhs.uk/Id/referral","value":"%s"}],
				 "status":"active","intent":"order",
				 "code":{"coding":[{"system":"http://snomed.info/sct","code":"871731000000106","display":"Referral to social prescribing service"}]},
				 "subject":{"reference":"Patient/%s"},
				 "authoredOn":"2026-11-20T10:15:00+00:00",
				 "requester":{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"A99901"},"display":"Riverside Surgery"},
				 "performer":[{"identifier":{"system":"https://fhir.nhs.uk/Id/dos-service-id","value":"9000001"}}],
				 "reasonCode":[{"coding":[{"system":"http://snomed.info/sct","code":"44054006","display":"Type 2 diabetes mellitus"}]}]}
				""".formatted(UUID.randomUUID(), patientId), "Content-Type", "application/fhir+json");
	}

	private static void awaitDelivered(int count) {
		receiver.await(r -> r.path().startsWith("/hooks/Task/"), count, WAIT);
	}
}
