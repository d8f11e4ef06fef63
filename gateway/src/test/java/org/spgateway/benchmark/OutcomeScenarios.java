package org.spgateway.benchmark;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * Outcome capture: a completed Wellbeing Star response (docs/examples/benchmark/questionnaire-response.template.json)
 * validated, checked against its Questionnaire version, stored with its eight Observations and the
 * referral's review row updated. Responses go round robin over the 1,000 seeded referrals, since one
 * referral's responses for one instrument queue behind each other on its review row.
 */
final class OutcomeScenarios {

	private OutcomeScenarios() {}

	static List<Scenario> all(FoundationScenarios.Shared shared) {
		return List.of(new Capture(shared));
	}

	static final class Capture implements Scenario {
		private final FoundationScenarios.Shared shared;
		private final String template = IntakeScenarios.template("questionnaire-response.template.json");

		Capture(FoundationScenarios.Shared shared) {
			this.shared = shared;
		}

		public String name() {
			return "questionnaire-response";
		}

		public String description() {
			return "POST /QuestionnaireResponse (Prefer: return=minimal): a Wellbeing Star response for one of 1,000 referrals, validated,"
					+ " checked against its Questionnaire, stored with 8 Observations, review schedule updated";
		}

		public void setUp(BenchmarkTarget target) throws Exception {
			shared.ensure(target);
		}

		public HttpRequest next(BenchmarkTarget target, long sequence) {
			String referral = shared.ids.get((int) (sequence % shared.ids.size()));
			return target.request("/QuestionnaireResponse").header("Content-Type", "application/fhir+json").header("Prefer", "return=minimal")
					.POST(HttpRequest.BodyPublishers.ofString(body(shared.patientId, referral))).build();
		}

		private String body(String patient, String referral) {
			return template.replace("${PATIENT}", patient).replace("${REFERRAL}", referral);
		}

		public ValidationCeiling.Body validatedBody() {
			return new ValidationCeiling.Body("QuestionnaireResponse", body("1", "2"));
		}

		public boolean succeeded(HttpResponse<String> response) {
			return response.statusCode() == 201;
		}
	}
}
