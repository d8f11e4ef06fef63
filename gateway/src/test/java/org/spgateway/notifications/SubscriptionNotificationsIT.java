package org.spgateway.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.HookReceiver;
import org.spgateway.testsupport.Http;

/**
 * Subscriptions end to end: a provider registers a rest-hook Subscription, Tasks change, and the
 * notifications arrive at a real HTTP receiver.
 */
class SubscriptionNotificationsIT {

	static final Duration WAIT = Duration.ofSeconds(30);
	static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	static final IParser JSON = GatewayServer.fhirContext().newJsonParser();

	static GatewayServer gateway;
	static HookReceiver receiver;

	@BeforeAll
	static void start() {
		receiver = HookReceiver.start();
		gateway = GatewayServer.start(
				"gateway.notifications.require-https=false",
				"gateway.notifications.subscription-refresh=200ms",
				"gateway.notifications.delivery.poll-interval=200ms",
				"gateway.notifications.delivery.initial-backoff=100ms",
				"gateway.notifications.delivery.max-backoff=400ms",
				"gateway.notifications.delivery.give-up-after=3s");
	}

	@AfterAll
	static void stop() {
		gateway.close();
		receiver.close();
	}

	// ---------------------------------------------------------------- delivery

	@Test
	void fullResourceOnCreateAndUpdateWithTheSubscriptionsHeaders() {
		String ods = uniqueOds();
		Subscription created = subscribe(ods, "/full", "application/fhir+json", "Authorization: Bearer provider-secret", "X-Api-Key: k-123");
		assertThat(created.getStatus()).isEqualTo(Subscription.SubscriptionStatus.ACTIVE);

		String correlation = UUID.randomUUID().toString();
		HttpResponse<String> post = Http.post(gateway.baseUrl() + "/Task", JSON.encodeResourceToString(task(ods)), "X-Correlation-Id", correlation);
		assertThat(post.statusCode()).isEqualTo(201);
		Task stored = Http.parse(post, Task.class);
		String id = stored.getIdElement().getIdPart();
		stored.setStatus(Task.TaskStatus.ACCEPTED);
		HttpResponse<String> put = Http.put(gateway.baseUrl() + "/Task/" + id, JSON.encodeResourceToString(stored), "X-Correlation-Id", correlation);
		assertThat(put.statusCode()).isEqualTo(200);

		List<HookReceiver.Received> got = receiver.await(r -> r.path().equals("/full/Task/" + id), 2, WAIT);
		assertThat(got).hasSize(2);
		for (int i = 0; i < 2; i++) {
			HookReceiver.Received r = got.get(i);
			assertThat(r.method()).isEqualTo("PUT");
			assertThat(r.header("Content-Type")).startsWith("application/fhir+json");
			assertThat(r.header("Authorization")).isEqualTo("Bearer provider-secret");
			assertThat(r.header("X-Api-Key")).isEqualTo("k-123");
			assertThat(r.header("X-Correlation-Id")).isEqualTo(correlation);
			assertThat(r.header("X-Request-Id")).matches("[0-9a-f-]{36}");
			Task delivered = JSON.parseResource(Task.class, r.body());
			assertThat(delivered.getIdElement().getIdPart()).isEqualTo(id);
			assertThat(delivered.getMeta().getVersionId()).isEqualTo(Integer.toString(i + 1));
		}
		assertThat(JSON.parseResource(Task.class, got.get(1).body()).getStatus()).isEqualTo(Task.TaskStatus.ACCEPTED);
		// Each delivery is a request of its own: a new request id, never the id of the change's request.
		assertThat(got.get(0).header("X-Request-Id")).isNotEqualTo(got.get(1).header("X-Request-Id"))
				.isNotEqualTo(post.headers().firstValue("X-Request-Id").orElseThrow());
	}

	@Test
	void withoutPayloadTheNotificationIsAnEmptyPost() {
		String ods = uniqueOds();
		subscribe(ods, "/id-only", null, "Authorization: Bearer other");
		String id = createTask(ods);

		HookReceiver.Received r = receiver.await(x -> x.path().equals("/id-only"), 1, WAIT).get(0);
		assertThat(r.method()).isEqualTo("POST");
		assertThat(r.body()).isEmpty();
		assertThat(r.header("Content-Type")).isNull();
		assertThat(r.header("Authorization")).isEqualTo("Bearer other");
		assertThat(r.header("X-Correlation-Id")).isNotBlank();
		// What changed is found by polling with the Subscription's own criteria.
		String search = Http.get(gateway.baseUrl() + "/Task?owner:identifier=" + ODS + "%7C" + ods).body();
		assertThat(search).contains("\"id\":\"" + id + "\"");
	}

	@Test
	void xmlPayloadIsTheResourceInXml() {
		String ods = uniqueOds();
		subscribe(ods, "/xml", "application/fhir+xml");
		String id = createTask(ods);
		HookReceiver.Received r = receiver.await(x -> x.path().equals("/xml/Task/" + id), 1, WAIT).get(0);
		assertThat(r.header("Content-Type")).startsWith("application/fhir+xml");
		Task delivered = GatewayServer.fhirContext().newXmlParser().parseResource(Task.class, r.body());
		assertThat(delivered.getIdElement().getIdPart()).isEqualTo(id);
	}

	@Test
	void changesThatDoNotMatchProduceNothing() {
		String ods = uniqueOds();
		subscribe(ods, "/only-mine", "application/fhir+json");
		String other = createTask(uniqueOds());
		Task unowned = task(ods);
		unowned.setOwner(null);
		String noOwner = createTask(unowned);
		// The last change matches: once it has arrived, everything written before it has been matched.
		String mine = createTask(ods);

		receiver.await(r -> r.path().startsWith("/only-mine/"), 1, WAIT);
		assertThat(receiver.received(r -> r.path().startsWith("/only-mine/"))).extracting(HookReceiver.Received::path)
				.containsExactly("/only-mine/Task/" + mine);
		assertThat(receiver.received(r -> r.path().contains(other) || r.path().contains(noOwner))).isEmpty();
	}

	@Test
	void notificationsForOneTaskArriveInOrder() {
		String ods = uniqueOds();
		subscribe(ods, "/ordered", "application/fhir+json");
		receiver.slow(Duration.ofMillis(30));
		try {
			List<String> ids = new ArrayList<>();
			for (int t = 0; t < 3; t++) {
				ids.add(createTask(ods));
			}
			for (int v = 0; v < 5; v++) {
				for (String id : ids) {
					Task current = Http.parse(Http.get(gateway.baseUrl() + "/Task/" + id), Task.class);
					current.setDescription("step " + v);
					assertThat(Http.put(gateway.baseUrl() + "/Task/" + id, JSON.encodeResourceToString(current)).statusCode()).isEqualTo(200);
				}
			}
			List<HookReceiver.Received> got = receiver.await(r -> r.path().startsWith("/ordered/"), 18, WAIT);
			assertThat(got).hasSize(18);
			for (String id : ids) {
				List<String> versions = got.stream().filter(r -> r.path().equals("/ordered/Task/" + id))
						.map(r -> JSON.parseResource(Task.class, r.body()).getMeta().getVersionId()).toList();
				assertThat(versions).containsExactly("1", "2", "3", "4", "5", "6");
			}
			assertThat(receiver.overlaps()).isZero();
		} finally {
			receiver.slow(Duration.ZERO);
		}
	}

	@Test
	void aChangeIsNotifiedExactlyWhenASearchWithTheSameCriteriaFindsIt() {
		String ods = uniqueOds();
		List<Task> tasks = new ArrayList<>();
		String[] statuses = {"requested", "accepted", "in-progress", "rejected", "completed", "on-hold"};
		for (int i = 0; i < 12; i++) {
			Task t = task(ods);
			t.setStatus(Task.TaskStatus.fromCode(statuses[i % statuses.length]));
			if (t.getStatus() == Task.TaskStatus.REJECTED || t.getStatus() == Task.TaskStatus.ONHOLD) {
				t.getStatusReason().setText("reason");
			}
			t.setAuthoredOnElement(new DateTimeType("2026-11-" + (18 + i % 4) + "T0" + (i % 10) + ":30:00Z"));
			t.getFocus().setReference("ServiceRequest/sr-" + (i % 3));
			if (i % 4 == 0) {
				t.getRequester().getIdentifier().setValue("A99902");
			}
			if (i % 3 == 1) {
				t.getBusinessStatus().addCoding().setSystem("https://spgateway.org/fhir/CodeSystem/sp-business-status").setCode(i % 2 == 0 ? "contacted" : "assessed");
			}
			if (i % 5 == 0) {
				t.getExecutionPeriod().setStartElement(new DateTimeType("2026-1" + (i % 2) + "-05"));
			}
			if (i % 6 == 5) {
				t.setPriority(Task.TaskPriority.URGENT);
			}
			tasks.add(t);
		}
		List<String> criteria = List.of(
				"status=accepted",
				"status:not=accepted",
				"status=rejected,completed",
				"code=http://hl7.org/fhir/CodeSystem/task-code|fulfill",
				"authored-on=ge2026-11-20",
				"authored-on=lt2026-11-19T05:00:00Z",
				"authored-on=2026-11-21",
				"focus=ServiceRequest/sr-1",
				"focus=sr-2",
				"requester:identifier=" + ODS + "|A99902",
				"business-status=contacted,assessed",
				"business-status:missing=true",
				"period=2026-11",
				"priority=urgent",
				"priority:missing=false&status=on-hold",
				"_lastUpdated=gt2000-01-01");
		Map<String, String> paths = new HashMap<>();
		for (int i = 0; i < criteria.size(); i++) {
			String path = "/agree-" + ods + "-" + i;
			paths.put(criteria.get(i), path);
			Subscription sub = Fixtures.resource(SubscriptionNotificationsIT.class, "subscription.json", Subscription.class);
			sub.setCriteria("Task?owner:identifier=" + ODS + "|" + ods + "&" + criteria.get(i));
			sub.getChannel().setEndpoint(receiver.url(path)).getHeader().clear();
			HttpResponse<String> created = Http.post(gateway.baseUrl() + "/Subscription", JSON.encodeResourceToString(sub));
			assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		}
		for (Task t : tasks) {
			createTask(t);
		}
		awaitHealth("pending", n -> n == 0);
		for (String c : criteria) {
			String query = c.replace("|", "%7C").replace(":00Z", "%3A00Z");
			Bundle found = Http.parse(Http.get(gateway.baseUrl() + "/Task?owner:identifier=" + ODS + "%7C" + ods + "&"
					+ query + "&_count=100"), Bundle.class);
			List<String> searched = found.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).sorted().toList();
			List<String> notified = receiver.received(r -> r.path().startsWith(paths.get(c) + "/Task/")).stream()
					.map(r -> r.path().substring(r.path().lastIndexOf('/') + 1)).sorted().toList();
			assertThat(notified).as(c).isEqualTo(searched);
		}
	}

	// ---------------------------------------------------------------- give-up and re-drive

	@Test
	void givingUpSetsErrorAndRedriveDeliversEverythingInOrder() {
		try (HookReceiver failing = HookReceiver.start()) {
			failing.answer(503);
			String ods = uniqueOds();
			Subscription sub = subscribe(ods, failing.url("/down"), "application/fhir+json");
			String subId = sub.getIdElement().getIdPart();
			String id = createTask(ods);

			Subscription errored = awaitStatus(subId, Subscription.SubscriptionStatus.ERROR);
			assertThat(errored.getError()).contains("HTTP 503").contains("/down/Task/" + id).contains("$redrive");
			assertThat(failing.attempts()).isGreaterThan(1);

			// Changes while in error are kept, not lost.
			Task current = Http.parse(Http.get(gateway.baseUrl() + "/Task/" + id), Task.class);
			current.setStatus(Task.TaskStatus.ACCEPTED);
			assertThat(Http.put(gateway.baseUrl() + "/Task/" + id, JSON.encodeResourceToString(current)).statusCode()).isEqualTo(200);
			awaitHealth("held", n -> n >= 1);

			failing.answer(200);
			HttpResponse<String> redrive = Http.post(gateway.baseUrl() + "/Subscription/" + subId + "/$redrive", "{\"resourceType\":\"Parameters\"}");
			assertThat(redrive.statusCode()).as(redrive.body()).isEqualTo(200);
			Subscription after = Http.parse(redrive, Subscription.class);
			assertThat(after.getStatus()).isEqualTo(Subscription.SubscriptionStatus.ACTIVE);
			assertThat(after.hasError()).isFalse();

			List<HookReceiver.Received> got = failing.await(r -> r.path().equals("/down/Task/" + id), 2, WAIT);
			assertThat(got).extracting(r -> JSON.parseResource(Task.class, r.body()).getMeta().getVersionId()).containsExactly("1", "2");
		}
	}

	@Test
	void settingStatusBackToRequestedRedrives() {
		try (HookReceiver failing = HookReceiver.start()) {
			failing.down();
			String ods = uniqueOds();
			Subscription sub = subscribe(ods, failing.url("/gone"), null);
			String subId = sub.getIdElement().getIdPart();
			createTask(ods);

			Subscription errored = awaitStatus(subId, Subscription.SubscriptionStatus.ERROR);
			assertThat(errored.getError()).contains("Could not connect");

			failing.up();
			errored.setStatus(Subscription.SubscriptionStatus.REQUESTED);
			HttpResponse<String> put = Http.put(gateway.baseUrl() + "/Subscription/" + subId, JSON.encodeResourceToString(errored));
			assertThat(put.statusCode()).isEqualTo(200);
			Subscription after = Http.parse(Http.get(gateway.baseUrl() + "/Subscription/" + subId), Subscription.class);
			assertThat(after.getStatus()).isEqualTo(Subscription.SubscriptionStatus.ACTIVE);
			assertThat(after.hasError()).isFalse();
			failing.await(r -> r.path().equals("/gone"), 1, WAIT);
		}
	}

	@Test
	void aNewEndpointAppliesToNotificationsAlreadyQueued() {
		try (HookReceiver old = HookReceiver.start(); HookReceiver moved = HookReceiver.start()) {
			old.answer(500);
			String ods = uniqueOds();
			Subscription sub = subscribe(ods, old.url("/old"), "application/fhir+json", "Authorization: Bearer old-token");
			String subId = sub.getIdElement().getIdPart();
			String id = createTask(ods);
			awaitAttempts(old, 1);

			Subscription current = Http.parse(Http.get(gateway.baseUrl() + "/Subscription/" + subId), Subscription.class);
			// requested: whatever happened meanwhile (even a give-up), the subscription is set up again.
			current.setStatus(Subscription.SubscriptionStatus.REQUESTED);
			current.getChannel().setEndpoint(moved.url("/new"));
			current.getChannel().getHeader().clear();
			current.getChannel().addHeader("Authorization: Bearer new-token");
			assertThat(Http.put(gateway.baseUrl() + "/Subscription/" + subId, JSON.encodeResourceToString(current)).statusCode()).isEqualTo(200);

			HookReceiver.Received r = moved.await(x -> x.path().equals("/new/Task/" + id), 1, WAIT).get(0);
			assertThat(r.header("Authorization")).isEqualTo("Bearer new-token");
		}
	}

	@Test
	void turningASubscriptionOffCancelsWhatIsQueued() {
		try (HookReceiver failing = HookReceiver.start()) {
			failing.answer(503);
			String ods = uniqueOds();
			Subscription sub = subscribe(ods, failing.url("/off"), null);
			String subId = sub.getIdElement().getIdPart();
			createTask(ods);
			awaitAttempts(failing, 1);

			sub = Http.parse(Http.get(gateway.baseUrl() + "/Subscription/" + subId), Subscription.class);
			sub.setStatus(Subscription.SubscriptionStatus.OFF);
			assertThat(Http.put(gateway.baseUrl() + "/Subscription/" + subId, JSON.encodeResourceToString(sub)).statusCode()).isEqualTo(200);
			failing.answer(200);
			createTask(ods);
			HttpResponse<String> redrive = Http.post(gateway.baseUrl() + "/Subscription/" + subId + "/$redrive", "{\"resourceType\":\"Parameters\"}");
			assertThat(redrive.statusCode()).isEqualTo(422);
			assertThat(outcome(redrive).getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Subscription.status");
			// Once nothing is pending any more, the cancelled notification and the later change have had every chance to arrive.
			awaitHealth("pending", n -> n == 0);
			assertThat(failing.received()).isEmpty();
		}
	}

	// ---------------------------------------------------------------- what is accepted

	@Test
	void criteriaTheGatewayCannotEvaluateAre422NamingTheProblem() {
		HttpResponse<String> unknown = postSubscription(sub -> sub.setCriteria("Task?owner:identifier=" + ODS + "|X1&colour=blue"));
		assertThat(unknown.statusCode()).isEqualTo(422);
		OperationOutcome oo = outcome(unknown);
		assertThat(oo.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Subscription.criteria");
		assertThat(oo.getIssueFirstRep().getDiagnostics()).contains("Unknown search parameter 'colour'").contains("owner");

		assertRejected(sub -> sub.setCriteria("Referral?status=active"), "Subscription.criteria", "'Referral'");
		assertRejected(sub -> sub.setCriteria("Task?status:above=active"), "Subscription.criteria", "':above'");
		assertRejected(sub -> sub.setCriteria("Task?authored-on=tomorrow"), "Subscription.criteria", "'tomorrow' is not a FHIR date");
		assertRejected(sub -> sub.setCriteria("Task?status=active&_count=10"), "Subscription.criteria", "'_count'");
		assertRejected(sub -> sub.setCriteria("https://elsewhere.example/fhir/Task?status=active"), "Subscription.criteria", "relative");
	}

	@Test
	void channelsTheGatewayCannotServeAre422() {
		assertRejected(sub -> sub.getChannel().setType(Subscription.SubscriptionChannelType.WEBSOCKET), "Subscription.channel.type", "rest-hook");
		assertRejected(sub -> sub.getChannel().setPayload("text/plain"), "Subscription.channel.payload", "text/plain");
		assertRejected(sub -> sub.getChannel().setEndpoint("ftp://provider.example.org/in"), "Subscription.channel.endpoint", "absolute");
		assertRejected(sub -> sub.getChannel().setEndpoint("https://user:pw@provider.example.org/in"), "Subscription.channel.endpoint",
				"credentials");
		assertRejected(sub -> sub.getChannel().addHeader("no colon here"), "Subscription.channel.header[1]", "Name: value");
		assertRejected(sub -> sub.getChannel().addHeader("X-Correlation-Id: mine"), "Subscription.channel.header[1]", "set by the gateway");
		assertRejected(sub -> sub.setStatus(Subscription.SubscriptionStatus.ERROR), "Subscription.status", "set by the gateway");
		assertRejected(sub -> sub.setEnd(new Date(System.currentTimeMillis() - 60_000)), "Subscription.end", "in the past");
	}

	@Test
	void aPatchThatBreaksASubscriptionIsRefused() {
		Subscription sub = subscribe(uniqueOds(), "/patched", null);
		String id = sub.getIdElement().getIdPart();
		String patch = "[{\"op\":\"replace\",\"path\":\"/criteria\",\"value\":\"Task?nonsense=1\"}]";
		HttpResponse<String> response = Http.patch(gateway.baseUrl() + "/Subscription/" + id, patch, "application/json-patch+json");
		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(outcome(response).getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Subscription.criteria");
		Subscription after = Http.parse(Http.get(gateway.baseUrl() + "/Subscription/" + id), Subscription.class);
		assertThat(after.getMeta().getVersionId()).isEqualTo("1");
	}

	// ---------------------------------------------------------------- health

	@Test
	void outboxCountsAreInHealthAndPrometheus() {
		assertThat(health()).contains("\"outbox\"").contains("\"pending\"").contains("\"oldestPendingAgeSeconds\"")
				.contains("\"subscriptions\"");
		String prometheus = Http.get(gateway.baseUrl().replace("/fhir", "") + "/actuator/prometheus").body();
		assertThat(prometheus).contains("gateway_outbox_messages{state=\"pending\"}").contains("gateway_outbox_oldest_pending_age_seconds")
				.contains("gateway_outbox_attempts_seconds_count").contains("gateway_subscriptions_registered");
	}

	// ---------------------------------------------------------------- helpers

	static String uniqueOds() {
		return "T" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
	}

	static Task task(String ods) {
		Task task = Fixtures.resource(SubscriptionNotificationsIT.class, "task.json", Task.class);
		task.getOwner().getIdentifier().setValue(ods);
		return task;
	}

	static String createTask(String ods) {
		return createTask(task(ods));
	}

	static String createTask(Task task) {
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/Task", JSON.encodeResourceToString(task));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return Http.parse(response, Task.class).getIdElement().getIdPart();
	}

	/** Subscribes to Tasks owned by an ODS code; {@code endpoint} is a receiver path or a full URL. */
	static Subscription subscribe(String ods, String endpoint, String payload, String... headers) {
		Subscription sub = Fixtures.resource(SubscriptionNotificationsIT.class, "subscription.json", Subscription.class);
		sub.setCriteria("Task?owner:identifier=" + ODS + "|" + ods);
		sub.getChannel().setEndpoint(endpoint.startsWith("http") ? endpoint : receiver.url(endpoint));
		sub.getChannel().setPayload(payload);
		sub.getChannel().getHeader().clear();
		for (String h : headers) {
			sub.getChannel().addHeader(h);
		}
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/Subscription", JSON.encodeResourceToString(sub));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return Http.parse(response, Subscription.class);
	}

	static HttpResponse<String> postSubscription(Consumer<Subscription> change) {
		Subscription sub = Fixtures.resource(SubscriptionNotificationsIT.class, "subscription.json", Subscription.class);
		sub.getChannel().setEndpoint(receiver.url("/never"));
		change.accept(sub);
		return Http.post(gateway.baseUrl() + "/Subscription", JSON.encodeResourceToString(sub));
	}

	static void assertRejected(Consumer<Subscription> change, String expression, String diagnostics) {
		HttpResponse<String> response = postSubscription(change);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
		OperationOutcome oo = outcome(response);
		assertThat(oo.getIssue()).as(response.body())
				.anySatisfy(issue -> {
					assertThat(issue.getExpression()).extracting(e -> e.getValue()).contains(expression);
					assertThat(issue.getDiagnostics()).contains(diagnostics);
				});
	}

	static OperationOutcome outcome(HttpResponse<String> response) {
		return Http.parse(response, OperationOutcome.class);
	}

	static Subscription awaitStatus(String id, Subscription.SubscriptionStatus status) {
		long deadline = System.nanoTime() + WAIT.toNanos();
		Map<String, Integer> seen = new HashMap<>();
		while (true) {
			Subscription s = Http.parse(Http.get(gateway.baseUrl() + "/Subscription/" + id), Subscription.class);
			if (s.getStatus() == status) {
				return s;
			}
			seen.merge(s.getStatus().toCode(), 1, Integer::sum);
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Subscription/" + id + " never reached " + status + "; saw " + seen);
			}
			pause();
		}
	}

	static void awaitAttempts(HookReceiver r, int count) {
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (r.attempts() < count) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("The receiver saw " + r.attempts() + " attempts, expected " + count);
			}
			pause();
		}
	}

	/** Polls a number in the outbox's health details until it satisfies {@code test}. */
	static void awaitHealth(String detail, LongPredicate test) {
		Pattern p = Pattern.compile("\"" + detail + "\":(\\d+)");
		long deadline = System.nanoTime() + WAIT.toNanos();
		String last = null;
		while (true) {
			last = health();
			Matcher m = p.matcher(last);
			if (m.find() && test.test(Long.parseLong(m.group(1)))) {
				return;
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Outbox health never satisfied the test on " + detail + ": " + last);
			}
			pause();
		}
	}

	static String health() {
		return Http.get(gateway.baseUrl().replace("/fhir", "") + "/actuator/health").body();
	}

	static void pause() {
		try {
			Thread.sleep(50);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new AssertionError(e);
		}
	}
}
