package org.spgateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spgateway.testsupport.Errors;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.ReferralWork;
import org.springframework.context.annotation.Bean;

/**
 * The gateway refuses to register, and to call, receivers on its own host or an internal network;
 * an operator's allow-list lets named ones through, and the check is made again at every delivery.
 */
class OutboundAddressIT {

	static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	static final Duration WAIT = Duration.ofSeconds(60);

	/** What {@code rebound.test} resolves to: public when registered, private by the time of delivery. */
	static final AtomicReference<String> REBOUND = new AtomicReference<>("203.0.113.10");

	static class MovableDns {
		@Bean
		OutboundAddressRules.HostResolver reboundResolver() {
			return host -> host.equals("rebound.test") ? new InetAddress[] {InetAddress.getByName(REBOUND.get())} : InetAddress.getAllByName(host);
		}
	}

	static GatewayServer gateway;
	static GatewayServer sandbox;

	@BeforeAll
	static void start() {
		gateway = GatewayServer.start("gateway.outbound.allowed-hosts=localhost", "gateway.outbound.allowed-cidrs=192.168.7.0/24");
		sandbox = GatewayServer.startWith(new Class<?>[] {MovableDns.class}, "gateway.sandbox=true",
				"gateway.notifications.subscription-refresh=200ms",
				"gateway.notifications.delivery.poll-interval=200ms",
				"gateway.notifications.delivery.initial-backoff=100ms",
				"gateway.notifications.delivery.max-backoff=300ms",
				"gateway.notifications.delivery.give-up-after=2s");
	}

	@AfterAll
	static void stop() {
		gateway.close();
		sandbox.close();
	}

	static Subscription subscription(String endpoint, String criteria) {
		Subscription s = new Subscription();
		s.setStatus(Subscription.SubscriptionStatus.REQUESTED);
		s.setReason("outbound address test");
		s.setCriteria(criteria);
		s.getChannel().setType(Subscription.SubscriptionChannelType.RESTHOOK).setEndpoint(endpoint).setPayload("application/fhir+json");
		return s;
	}

	static Endpoint endpoint(String address) {
		Endpoint e = new Endpoint();
		e.setStatus(Endpoint.EndpointStatus.ACTIVE);
		e.setConnectionType(new Coding("http://terminology.hl7.org/CodeSystem/endpoint-connection-type", "hl7-fhir-msg", null));
		e.addPayloadType(new CodeableConcept().setText("BaRS messages"));
		e.setAddress(address);
		return e;
	}

	static int count(GatewayServer g, String type) {
		return Http.parse(Http.get(g.baseUrl() + "/" + type + "?_summary=count"), Bundle.class).getTotal();
	}

	@ParameterizedTest(name = "a Subscription to {0} is refused as {1}")
	@CsvSource({
		"https://127.0.0.1:8443/, loopback", "https://[::1]/hook, loopback", "https://0.0.0.0/, unspecified",
		"https://169.254.169.254/latest/meta-data, link-local", "https://10.1.2.3/hook, private", "https://172.20.0.5/hook, private",
		"https://192.168.8.20/hook, private", "https://[fd00::5]/hook, unique-local", "https://100.64.0.1/hook, carrier-grade NAT",
		"https://224.0.0.1/hook, multicast"})
	void aSubscriptionToAnInternalAddressIsRefusedNamingTheRule(String url, String rule) {
		int before = count(gateway, "Subscription");
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/Subscription",
				Http.json(subscription(url, "Task?owner:identifier=" + ODS + "|A00001")));
		OperationOutcome outcome = Errors.outcome(response, 422);
		assertThat(Errors.expressions(outcome.getIssue())).containsExactly("Subscription.channel.endpoint");
		assertThat(Errors.diagnostics(outcome.getIssue())).contains("outbound rule '" + rule + "'").contains("gateway.outbound.allowed-hosts");
		assertThat(count(gateway, "Subscription")).as("nothing stored").isEqualTo(before);
	}

	@Test
	void anAllowedHostNameIsAcceptedThoughItIsLoopback() {
		HttpResponse<String> byName = Http.post(gateway.baseUrl() + "/Subscription",
				Http.json(subscription("https://localhost:9443/hook", "Task?owner:identifier=" + ODS + "|A00001")));
		assertThat(byName.statusCode()).as(byName.body()).isEqualTo(201);
		HttpResponse<String> byAddress = Http.post(gateway.baseUrl() + "/Subscription",
				Http.json(subscription("https://127.0.0.1:9443/hook", "Task?owner:identifier=" + ODS + "|A00001")));
		Errors.outcome(byAddress, 422);
	}

	@Test
	void anEndpointAddressInsideIsRefusedAndOneInAnAllowedBlockIsStored() {
		int before = count(gateway, "Endpoint");
		HttpResponse<String> refused = Http.post(gateway.baseUrl() + "/Endpoint", Http.json(endpoint("https://192.168.1.10/fhir")));
		OperationOutcome outcome = Errors.outcome(refused, 422);
		assertThat(Errors.expressions(outcome.getIssue())).containsExactly("Endpoint.address");
		assertThat(Errors.diagnostics(outcome.getIssue())).contains("outbound rule 'private'");
		assertThat(count(gateway, "Endpoint")).as("nothing stored").isEqualTo(before);

		HttpResponse<String> allowed = Http.post(gateway.baseUrl() + "/Endpoint", Http.json(endpoint("https://192.168.7.20/fhir")));
		assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(201);
	}

	@Test
	void anEndpointUpdatedToPointInsideIsRefusedAndKeepsItsAddress() {
		HttpResponse<String> created = Http.post(gateway.baseUrl() + "/Endpoint", Http.json(endpoint("https://203.0.113.10/fhir")));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		Endpoint stored = Http.parse(created, Endpoint.class);
		String id = stored.getIdElement().getIdPart();
		stored.setAddress("https://[fe80::1]/fhir");
		Errors.outcome(Http.put(gateway.baseUrl() + "/Endpoint/" + id, Http.json(stored)), 422);
		assertThat(Http.parse(Http.get(gateway.baseUrl() + "/Endpoint/" + id), Endpoint.class).getAddress()).isEqualTo("https://203.0.113.10/fhir");
	}

	@Test
	void theSandboxAcceptsLoopbackReceiversButNotPrivateOnes() {
		HttpResponse<String> local = Http.post(sandbox.baseUrl() + "/Subscription",
				Http.json(subscription("https://127.0.0.1:9443/hook", "Task?owner:identifier=" + ODS + "|A00001")));
		assertThat(local.statusCode()).as(local.body()).isEqualTo(201);
		Errors.outcome(Http.post(sandbox.baseUrl() + "/Subscription",
				Http.json(subscription("https://10.0.0.8/hook", "Task?owner:identifier=" + ODS + "|A00001"))), 422);
	}

	@Test
	void aHostThatMovesInsideAfterRegistrationIsRefusedAtDeliveryInPlainWords() throws InterruptedException {
		String ods = "T" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
		REBOUND.set("203.0.113.10");
		HttpResponse<String> created = Http.post(sandbox.baseUrl() + "/Subscription",
				Http.json(subscription("https://rebound.test/hook", "Task?owner:identifier=" + ODS + "|" + ods)));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		String id = Http.parse(created, Subscription.class).getIdElement().getIdPart();

		REBOUND.set("10.9.8.7");
		ReferralWork.refer(sandbox, ReferralWork.addProvider(sandbox, ods));

		long deadline = System.nanoTime() + WAIT.toNanos();
		Subscription now = Http.parse(Http.get(sandbox.baseUrl() + "/Subscription/" + id), Subscription.class);
		while (now.getStatus() != Subscription.SubscriptionStatus.ERROR && System.nanoTime() < deadline) {
			Thread.sleep(200);
			now = Http.parse(Http.get(sandbox.baseUrl() + "/Subscription/" + id), Subscription.class);
		}
		assertThat(now.getStatus()).isEqualTo(Subscription.SubscriptionStatus.ERROR);
		assertThat(now.getError()).contains("Could not deliver PUT https://rebound.test/hook/Task/").contains("outbound rule 'private'")
				.doesNotContain("10.9.8.7");
	}
}
