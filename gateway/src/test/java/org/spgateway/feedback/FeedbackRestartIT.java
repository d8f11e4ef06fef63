package org.spgateway.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Communication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.HookReceiver;
import org.spgateway.testsupport.Http;
import org.spgateway.workflow.Journey;

/**
 * The loop closes across outages: the GP systems are down while referrals are worked and the gateway
 * restarts in between; once both are up, every feedback message (BaRS to A99901, a FHIR REST transaction
 * to A99902) arrives, in order, once.
 */
class FeedbackRestartIT {

	static GatewayServer gateway;
	static HookReceiver gp;

	@BeforeAll
	static void start() {
		gp = HookReceiver.start();
		gateway = GatewayServer.start("gateway.sandbox=true", "gateway.feedback.require-https=false",
				"gateway.notifications.delivery.poll-interval=200ms", "gateway.notifications.delivery.initial-backoff=100ms",
				"gateway.notifications.delivery.max-backoff=500ms", "gateway.notifications.delivery.give-up-after=5m");
		FeedbackIT.listEndpoint(gateway, "ods-A99901", "hl7-fhir-msg", gp.url("/gp/fhir"));
		FeedbackIT.listEndpoint(gateway, "ods-A99902", "hl7-fhir-rest", gp.url("/rest/fhir"));
	}

	@AfterAll
	static void stop() {
		gateway.stop();
		gp.close();
	}

	@Test
	void feedbackWrittenWhileTheGpSystemIsDownArrivesInOrderOnceAfterAGatewayRestart() {
		Journey j = Journey.referredByRest(gateway);
		String task = j.task();
		Journey rest = Journey.referredByRest(gateway, "A99902");
		gp.down();
		rest.step(rest.task(), "accept.json");
		j.step(task, "accept.json");
		j.step(task, "first-appointment-booked.json");
		j.step(task, "did-not-attend.json");
		j.step(task, "first-appointment-booked.json");
		j.step(task, "first-appointment-attended.json");
		HttpResponse<String> signposted = Http.patch(gateway.baseUrl() + "/Task/" + task, "[{\"op\":\"add\",\"path\":\"/output\",\"value\":[{"
				+ "\"type\":{\"coding\":[{\"system\":\"https://spgateway.org/fhir/CodeSystem/sp-task-output\",\"code\":\"no-onward-connection\"}]},"
				+ "\"valueString\":\"Link worker support was enough\"}]}]", "application/json-patch+json");
		assertThat(signposted.statusCode()).as(signposted.body()).isEqualTo(200);
		j.step(task, "discharge.json");

		gateway.restart();
		gp.up();

		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(j.search("Communication?based-on=ServiceRequest/" + j.referral,
				Communication.class)).hasSize(3).extracting(Communication::getStatus).containsOnly(Communication.CommunicationStatus.COMPLETED));
		List<String> events = gp.received(r -> r.path().startsWith("/gp/") && r.body().contains("ServiceRequest/" + j.referral)).stream()
				.map(r -> FeedbackIT.event(GatewayServer.fhirContext().newJsonParser().parseResource(Bundle.class, r.body()))).toList();
		assertThat(events).containsExactly("accepted", "did-not-attend", "discharged");
		// The FHIR REST referrer's transaction arrived once too, after the same outage and restart.
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(gp.received(r -> r.path().equals("/rest/fhir")
				&& r.body().contains("ServiceRequest/" + rest.referral))).hasSize(1));
		assertThat(rest.search("Communication?based-on=ServiceRequest/" + rest.referral, Communication.class)).extracting(Communication::getStatus)
				.containsExactly(Communication.CommunicationStatus.COMPLETED);
	}
}
