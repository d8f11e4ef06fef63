package org.spgateway.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Parameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/**
 * Golden tests, one per shipped instrument: a baseline and a review response in, the review's extracted
 * Observations and the referral's $outcomes out, each compared with an expected FHIR JSON file.
 */
class OutcomeCaptureIT {

	static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = SharedGateway.get();
	}

	@Test
	void wellbeingStar() {
		golden("wellbeing-star");
	}

	@Test
	void ons4() {
		golden("ons4");
	}

	@Test
	void ucla3() {
		golden("ucla3");
	}

	private void golden(String instrument) {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		Map<String, String> ids = referral.placeholders();
		ids.put("baseline", OutcomeRequests.create(gateway, Golden.fill(getClass(), instrument + "-baseline.json", ids)));
		ids.put("review", OutcomeRequests.create(gateway, Golden.fill(getClass(), instrument + "-review.json", ids)));

		HttpResponse<String> observations = Http.get(gateway.baseUrl() + "/Observation?derived-from=QuestionnaireResponse/" + ids.get("review"));
		assertThat(observations.statusCode()).isEqualTo(200);
		Golden.assertMatches(getClass(), instrument + "-review-observations.json", ids,
				Golden.collection(Http.parse(observations, Bundle.class)));

		HttpResponse<String> outcomes = Http.get(gateway.baseUrl() + "/ServiceRequest/" + referral.id() + "/$outcomes");
		assertThat(outcomes.statusCode()).as(outcomes.body()).isEqualTo(200);
		Golden.assertMatches(getClass(), instrument + "-outcomes.json", ids, Http.parse(outcomes, Parameters.class));
	}
}
