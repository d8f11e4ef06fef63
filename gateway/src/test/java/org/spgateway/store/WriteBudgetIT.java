package org.spgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.HookReceiver;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.StatementCounting;

/**
 * What one REST referral costs PostgreSQL, counted at the JDBC driver's door: the intake's statements and
 * commits on the request's thread, and each notification's on the outbox's threads (issue 14's budget: at
 * most 4 statements and 1 commit to take a referral in, 2 statements to deliver its notification), with
 * authentication, organisation scoping and audit on as always.
 */
class WriteBudgetIT {

	static final Duration WAIT = Duration.ofSeconds(20);
	static GatewayServer gateway;
	static HookReceiver receiver;
	static String patientId;

	@BeforeAll
	static void start() {
		receiver = HookReceiver.start();
		gateway = GatewayServer.startWith(new Class<?>[] {StatementCounting.class}, "gateway.sandbox=true",
				"gateway.notifications.require-https=false", "gateway.notifications.subscription-refresh=200ms");
		HttpResponse<String> subscription = Http.post(gateway.baseUrl() + "/Subscription", """
				{"resourceType":"Subscription","status":"requested","reason":"Statement budget",
				 "criteria":"Task?owner:identifier=https://fhir.nhs.uk/Id/ods-organization-code|X99901",
				 "channel":{"type":"rest-hook","endpoint":"%s","payload":"application/fhir+json"}}
				""".formatted(receiver.url("/hooks")), "Content-Type", "application/fhir+json");
		assertThat(subscription.statusCode()).isEqualTo(201);
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
		for (int i = 0; i < 3; i++) {
			refer();
		}
		awaitDelivered(3);
		// Let the delivery loop go quiet (its last claim, the delivery audit) before counting.
		Thread.sleep(1000);

		StatementCounting.reset();
		HttpResponse<String> answer = refer();
		List<StatementCounting.Sent> intake = StatementCounting.sentBy(StatementCounting::requestThread);
		awaitDelivered(4);
		Thread.sleep(500);
		List<StatementCounting.Sent> delivery = StatementCounting.sentBy(t -> t.startsWith("outbox-"));

		assertThat(answer.statusCode()).isEqualTo(201);
		List<String> statements = StatementCounting.statements(intake);
		System.out.printf("REST referral: %d statements, %d commit(s) on the request's thread; its notification: %d statements%n",
				statements.size(), StatementCounting.commits(intake), StatementCounting.statements(delivery).size());
		assertThat(statements).as("the intake's statements: %s", String.join("\n", statements)).hasSizeLessThanOrEqualTo(4);
		assertThat(StatementCounting.commits(intake)).as("the intake's commits: %s", intake).isEqualTo(1);
		assertThat(StatementCounting.statements(delivery)).as("the delivery's statements: %s", delivery).hasSizeLessThanOrEqualTo(2);
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
