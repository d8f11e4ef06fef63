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
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.HookReceiver;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.ReferralWork;

/**
 * Subscriptions end to end: a provider registers a rest-hook Subscription, its Tasks change, and the
 * notifications arrive at a real HTTP receiver. Each test has a provider of its own (a unique ODS code
 * added to this gateway's directory); its Tasks are the ones referral intake creates for referrals to
 * that provider, and they change only as the referral lifecycle allows.
 */
class SubscriptionNotificationsIT {

	static final Duration WAIT = Duration.ofSeconds(30);
	static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	static final IParser JSON = GatewayServer.fhirContext().newJsonParser();

	static final Map<String, Reference> PROVIDERS = new ConcurrentHashMap<>();

	static GatewayServer gateway;
	static HookReceiver receiver;

	@BeforeAll
	static void start() {
		receiver = HookReceiver.start();
		gateway = GatewayServer.start(
				"gateway.sandbox=true",
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
		// The referral creates the Task (version 1); the provider accepting it makes version 2.
		ReferralWork.Referral referral = ReferralWork.refer(gateway, provider(ods), r -> { }, "X-Correlation-Id", correlation);
		String id = referral.taskId();
		ReferralWork.change(gateway, id, t -> t.setStatus(Task.TaskStatus.ACCEPTED), "X-Correlation-Id", correlation);

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
				.isNotEqualTo(referral.requestId());
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
		// The same code under another identifier system is another organisation.
		String otherSystem = ReferralWork.refer(gateway, ReferralWork.addProvider(gateway, ReferralWork.DIRECTORY_ORGANIZATION, ods)).taskId();
		// The last change matches: once it has arrived, everything written before it has been matched.
		String mine = createTask(ods);

		receiver.await(r -> r.path().startsWith("/only-mine/"), 1, WAIT);
		assertThat(receiver.received(r -> r.path().startsWith("/only-mine/"))).extracting(HookReceiver.Received::path)
				.containsExactly("/only-mine/Task/" + mine);
		assertThat(receiver.received(r -> r.path().contains(other) || r.path().contains(otherSystem))).isEmpty();
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
				String note = "step " + v;
				for (String id : ids) {
					ReferralWork.change(gateway, id, t -> t.setDescription(note));
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
		Reference service = provider(ods);
		// Twelve referrals whose Tasks differ in every searched element: status, step, referrer, priority, period.
		String[] statuses = {"requested", "accepted", "in-progress", "rejected", "completed", "on-hold"};
		Map<String, String> steps = Map.of("1", "contacted", "2", "assessed", "4", "discharged", "5", "not-engaged", "7", "on-waiting-list");
		List<String> ids = new ArrayList<>();
		List<String> referrals = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			int n = i;
			ReferralWork.Referral referral = ReferralWork.refer(gateway, service, r -> {
				if (n % 4 == 0) {
					r.getRequester().getIdentifier().setValue("A99902");
					r.getRequester().setDisplay(null);
				}
				ServiceRequest.ServiceRequestPriority urgent = ServiceRequest.ServiceRequestPriority.URGENT;
				r.setPriority(n % 6 == 5 ? urgent : n % 3 == 0 ? null : ServiceRequest.ServiceRequestPriority.ROUTINE);
			});
			Task task = ReferralWork.moveTo(gateway, referral.taskId(), Task.TaskStatus.fromCode(statuses[i % statuses.length]));
			String step = steps.get(Integer.toString(i));
			if (step != null) {
				task.setBusinessStatus(ReferralWork.step(step));
				ReferralWork.update(gateway, task);
			}
			ids.add(referral.taskId());
			referrals.add(referral.referralId());
		}
		List<String> criteria = List.of(
				"status=accepted",
				"status:not=accepted",
				"status=rejected,completed",
				"code=http://hl7.org/fhir/CodeSystem/task-code|fulfill",
				"focus=ServiceRequest/" + referrals.get(1),
				"focus=" + referrals.get(2),
				"requester:identifier=" + ODS + "|A99902",
				"business-status=contacted,assessed",
				"business-status:missing=true",
				"period=2026-11",
				"period=ge2026-10-05T12:00:00Z",
				"period=lt2026-10-06",
				"priority=urgent",
				"priority:missing=true",
				"priority:missing=false&status=on-hold",
				"authored-on=ge2026-11-20",
				"authored-on=lt2026-11-19T05:00:00Z",
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
		// One more change of each Task, now that the Subscriptions exist: the link worker records when the work runs.
		for (int i = 0; i < ids.size(); i++) {
			int n = i;
			ReferralWork.change(gateway, ids.get(i), t -> {
				t.setDescription("Checked " + n);
				String start = switch (n) {
					case 0 -> "2026-10-05T09:30:00Z";
					case 5 -> "2026-11-05";
					case 10 -> "2026-10-05T14:30:00Z";
					default -> null;
				};
				if (start != null) {
					t.getExecutionPeriod().setStartElement(new DateTimeType(start));
				}
			});
		}
		awaitHealth("pending", n -> n == 0);
		int found = 0;
		for (String c : criteria) {
			String query = c.replace("|", "%7C").replace(":00Z", "%3A00Z");
			Bundle bundle = Http.parse(Http.get(gateway.baseUrl() + "/Task?owner:identifier=" + ODS + "%7C" + ods + "&"
					+ query + "&_count=100"), Bundle.class);
			List<String> searched = bundle.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).sorted().toList();
			List<String> notified = receiver.received(r -> r.path().startsWith(paths.get(c) + "/Task/")).stream()
					.map(r -> r.path().substring(r.path().lastIndexOf('/') + 1)).sorted().toList();
			assertThat(notified).as(c).isEqualTo(searched);
			found += searched.size();
		}
		// The criteria split the Tasks: they are not all empty, nor all everything.
		assertThat(found).isGreaterThan(ids.size()).isLessThan(criteria.size() * ids.size());
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
			ReferralWork.change(gateway, id, t -> t.setStatus(Task.TaskStatus.ACCEPTED));
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
			assertThat(errored.getError()).contains("Could not deliver").contains("connection failed").doesNotContainIgnoringCase("refused:");

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

	/** This gateway's service of the provider with this ODS code, added to the directory on first use. */
	static Reference provider(String ods) {
		return PROVIDERS.computeIfAbsent(ods, code -> ReferralWork.addProvider(gateway, code));
	}

	/** A new referral to the provider with this ODS code: intake creates the provider's Task (version 1). */
	static String createTask(String ods) {
		return ReferralWork.refer(gateway, provider(ods)).taskId();
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
