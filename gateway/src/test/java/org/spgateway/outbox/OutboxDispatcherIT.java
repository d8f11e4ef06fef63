package org.spgateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.HookReceiver;
import org.spgateway.testsupport.Http;

/**
 * The outbox's guarantees with real gateways on one database: nothing is lost when the receiver is down
 * and the gateway restarts meanwhile, and several instances deliver each message once, in order per
 * ordering key. The notified resources are Observations a provider records (any type a Subscription can
 * name goes through the same outbox; Tasks only change as the referral lifecycle allows, and their
 * notifications are covered by SubscriptionNotificationsIT).
 */
class OutboxDispatcherIT {

	static final Duration WAIT = Duration.ofSeconds(60);
	static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	static final IParser JSON = GatewayServer.fhirContext().newJsonParser();
	static final String[] SETTINGS = {
		"gateway.notifications.require-https=false",
		// The receivers listen on this machine: loopback is allowed here explicitly, as an operator would for an internal receiver.
		"gateway.outbound.allowed-cidrs=127.0.0.0/8,::1/128",
		"gateway.notifications.subscription-refresh=200ms",
		"gateway.notifications.delivery.poll-interval=200ms",
		"gateway.notifications.delivery.initial-backoff=100ms",
		"gateway.notifications.delivery.max-backoff=1s",
		"gateway.notifications.delivery.give-up-after=10m"};

	@Test
	void receiverDownAcrossAGatewayRestartLosesNothing() {
		try (HookReceiver receiver = HookReceiver.start(); GatewayServer gateway = GatewayServer.start(SETTINGS)) {
			String ods = "R" + UUID.randomUUID().toString().substring(0, 8);
			subscribe(gateway, ods, receiver.url("/restart"));
			receiver.down();

			List<String> ids = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				ids.add(createObservation(gateway, ods));
			}
			for (String id : ids) {
				update(gateway, id, "while the receiver is down");
			}
			awaitHealth(gateway, "pending", n -> n == 6);

			gateway.restart();
			update(gateway, ids.get(0), "after the restart");
			receiver.up();

			List<HookReceiver.Received> got = receiver.await(r -> r.path().startsWith("/restart/Observation/"), 7, WAIT);
			awaitHealth(gateway, "pending", n -> n == 0);
			assertThat(versionsByResource(receiver, "/restart")).isEqualTo(Map.of(
					ids.get(0), List.of("1", "2", "3"), ids.get(1), List.of("1", "2"), ids.get(2), List.of("1", "2")));
			assertThat(got).hasSize(7);
		}
	}

	@Test
	void deliveriesInFlightAtShutdownFinishOrComeBack() {
		try (HookReceiver receiver = HookReceiver.start(); GatewayServer gateway = GatewayServer.start(SETTINGS)) {
			String ods = "S" + UUID.randomUUID().toString().substring(0, 8);
			subscribe(gateway, ods, receiver.url("/shutdown"));
			receiver.slow(Duration.ofMillis(300));
			List<String> ids = new ArrayList<>();
			for (int i = 0; i < 6; i++) {
				ids.add(createObservation(gateway, ods));
			}
			gateway.restart();
			receiver.await(r -> r.path().startsWith("/shutdown/Observation/"), 6, WAIT);
			awaitHealth(gateway, "pending", n -> n == 0);
			Map<String, List<String>> versions = versionsByResource(receiver, "/shutdown");
			for (String id : ids) {
				assertThat(versions.get(id)).as(id).containsExactly("1");
			}
		}
	}

	@Test
	void twoInstancesOnOneDatabaseDeliverEachNotificationOnceInOrder() {
		try (HookReceiver receiver = HookReceiver.start(); GatewayServer a = GatewayServer.start(SETTINGS);
				GatewayServer b = GatewayServer.startOn(a.jdbcUrl(), SETTINGS)) {
			receiver.slow(Duration.ofMillis(20));
			String ods = "D" + UUID.randomUUID().toString().substring(0, 8);
			subscribe(a, ods, receiver.url("/pair"));
			// The other instance learns of the Subscription from the database within its refresh interval.
			awaitHealth(b, "registered", n -> n == 1);

			List<String> ids = new ArrayList<>();
			for (int i = 0; i < 10; i++) {
				ids.add(createObservation(i % 2 == 0 ? a : b, ods));
			}
			for (int v = 0; v < 2; v++) {
				for (int i = 0; i < ids.size(); i++) {
					update((i + v) % 2 == 0 ? b : a, ids.get(i), "step " + v);
				}
			}
			receiver.await(r -> r.path().startsWith("/pair/Observation/"), 30, WAIT);
			awaitHealth(a, "pending", n -> n == 0);

			Map<String, List<String>> versions = versionsByResource(receiver, "/pair");
			for (String id : ids) {
				assertThat(versions.get(id)).as(id).containsExactly("1", "2", "3");
			}
			assertThat(receiver.overlaps()).isZero();
			// An instance records a delivery just after the receiver has answered it, so wait for the counts.
			long deadline = System.nanoTime() + WAIT.toNanos();
			while (delivered(a) + delivered(b) < 30 && System.nanoTime() < deadline) {
				sleep(50);
			}
			long byA = delivered(a);
			long byB = delivered(b);
			assertThat(byA + byB).isEqualTo(30);
			// Each instance wakes at once on its own commits, so both take part.
			assertThat(byA).isPositive();
			assertThat(byB).isPositive();
		}
	}

	// ---------------------------------------------------------------- helpers

	static void subscribe(GatewayServer gateway, String ods, String endpoint) {
		Subscription sub = Fixtures.resource(OutboxDispatcherIT.class, "subscription.json", Subscription.class);
		sub.setCriteria("Observation?performer:identifier=" + ODS + "|" + ods);
		sub.getChannel().setEndpoint(endpoint);
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/Subscription", JSON.encodeResourceToString(sub));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
	}

	/** An Observation recorded by the organisation with this ODS code. */
	static String createObservation(GatewayServer gateway, String ods) {
		Observation observation = Fixtures.resource(OutboxDispatcherIT.class, "observation.json", Observation.class);
		observation.getPerformerFirstRep().getIdentifier().setValue(ods);
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/Observation", JSON.encodeResourceToString(observation));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return Http.parse(response, Observation.class).getIdElement().getIdPart();
	}

	/** A new version of the Observation, with a note saying what changed. */
	static void update(GatewayServer gateway, String id, String note) {
		Observation current = Http.parse(Http.get(gateway.baseUrl() + "/Observation/" + id), Observation.class);
		current.getNote().clear();
		current.addNote().setText(note);
		HttpResponse<String> response = Http.put(gateway.baseUrl() + "/Observation/" + id, JSON.encodeResourceToString(current));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
	}

	/** The versionIds each Observation's notifications carried, in arrival order. */
	static Map<String, List<String>> versionsByResource(HookReceiver receiver, String base) {
		return receiver.received(r -> r.path().startsWith(base + "/Observation/")).stream().collect(Collectors.groupingBy(
				r -> r.path().substring(r.path().lastIndexOf('/') + 1),
				Collectors.mapping(r -> JSON.parseResource(Observation.class, r.body()).getMeta().getVersionId(), Collectors.toList())));
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	static long delivered(GatewayServer gateway) {
		String metrics = Http.get("http://localhost:" + gateway.port() + "/actuator/prometheus").body();
		Matcher m = Pattern.compile("gateway_outbox_attempts_seconds_count\\{[^}]*outcome=\"delivered\"[^}]*\\} ([0-9.E]+)").matcher(metrics);
		return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
	}

	static void awaitHealth(GatewayServer gateway, String detail, java.util.function.LongPredicate test) {
		Pattern p = Pattern.compile("\"" + detail + "\":(\\d+)");
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (true) {
			String health = Http.get("http://localhost:" + gateway.port() + "/actuator/health").body();
			Matcher m = p.matcher(health);
			if (m.find() && test.test(Long.parseLong(m.group(1)))) {
				return;
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Health never satisfied the test on " + detail + ": " + health);
			}
			try {
				Thread.sleep(50);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new AssertionError(e);
			}
		}
	}
}
