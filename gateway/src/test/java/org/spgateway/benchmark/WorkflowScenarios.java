package org.spgateway.benchmark;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The provider's lifecycle: referral Tasks accepted and then worked step by step with JSON Patch, each
 * change validated against the Task profile, checked against the lifecycle rules, stored with its
 * Provenance and workflow bookkeeping (and an outbox row when a Subscription matches).
 */
final class WorkflowScenarios {

	private WorkflowScenarios() {}

	static List<Scenario> all(FoundationScenarios.Shared seeded) {
		return List.of(new TaskUpdate(seeded));
	}

	/** The JSON Patch bodies, in order: accept, start, then the in-progress steps round and round. */
	private static final String BS = "https://spgateway.org/fhir/CodeSystem/sp-business-status";
	private static final List<String> STEPS = List.of(
			"[{\"op\":\"add\",\"path\":\"/status\",\"value\":\"accepted\"}]",
			"[{\"op\":\"add\",\"path\":\"/status\",\"value\":\"in-progress\"}," + step("first-appointment-booked") + "]",
			"[" + step("first-appointment-attended") + "]",
			"[" + step("assessed") + "]",
			"[" + step("plan-agreed") + "]",
			"[" + step("review") + "]");

	private static String step(String code) {
		return "{\"op\":\"add\",\"path\":\"/businessStatus\",\"value\":{\"coding\":[{\"system\":\"" + BS + "\",\"code\":\"" + code + "\"}]}}";
	}

	static final class TaskUpdate implements Scenario {
		private static final int TASKS = 500;
		private static final Pattern TASK_ID = Pattern.compile("\"resourceType\":\"Task\",\"id\":\"([^\"]+)\"");
		private final FoundationScenarios.Shared shared;
		private final List<String> tasks = new ArrayList<>();
		private AtomicIntegerArray steps;

		TaskUpdate(FoundationScenarios.Shared shared) {
			this.shared = shared;
		}

		public String name() {
			return "task-update";
		}

		public String description() {
			return "PATCH /Task/{id} (JSON Patch): one step of a referral's lifecycle (accept, start, then attended, assessed, plan agreed,"
					+ " review round and round) on one of " + TASKS + " Tasks; validated, transition and step checked, stored with Provenance";
		}

		public void setUp(BenchmarkTarget target) throws Exception {
			shared.ensure(target);
			String run = Long.toString(System.currentTimeMillis(), 36);
			for (int i = 0; i < TASKS; i++) {
				HttpResponse<String> referral = target.send(target.post("/ServiceRequest",
						FoundationScenarios.referral(shared.patientId, "bench-task-" + run + "-" + i)));
				String id = BenchmarkTarget.idFromLocation(referral);
				String found = target.sendOk(target.request("/Task?focus=ServiceRequest/" + id + "&_elements=id").GET().build());
				Matcher m = TASK_ID.matcher(found.replace(" ", "").replace("\n", ""));
				if (!m.find()) {
					throw new IllegalStateException("No Task for referral " + id);
				}
				tasks.add(m.group(1));
			}
			steps = new AtomicIntegerArray(TASKS);
		}

		public HttpRequest next(BenchmarkTarget target, long sequence) {
			int task = (int) (sequence % TASKS);
			int n = steps.getAndIncrement(task);
			// After accept and start, the in-progress steps repeat: each is a change, so each stores a version.
			String body = STEPS.get(n < STEPS.size() ? n : 2 + (n - 2) % (STEPS.size() - 2));
			return target.request("/Task/" + tasks.get(task)).header("Content-Type", "application/json-patch+json")
					.method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build();
		}

		public ValidationCeiling.Body validatedBody() {
			// What each step validates: a referral Task in progress with a step, as the patched Task is.
			return new ValidationCeiling.Body("Task", IntakeScenarios.template("task-update.template.json"));
		}

		public boolean succeeded(HttpResponse<String> response) {
			return response.statusCode() == 200;
		}
	}
}
