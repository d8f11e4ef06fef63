package org.spgateway.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Observation.ObservationStatus;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;
import org.spgateway.testsupport.Golden;

/**
 * An amended response replaces its Observations: each item's Observation is the same resource, updated
 * in place (status amended, the old value kept in its history), and Observations the response no longer
 * supports become entered-in-error. Totals and changes never count a response twice.
 */
class AmendedResponseIT {

	static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = SharedGateway.get();
	}

	@Test
	void amendedResponseUpdatesItsObservationsInPlace() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		Map<String, String> ids = referral.placeholders();
		OutcomeRequests.create(gateway, Golden.fill(getClass(), "wellbeing-star-baseline.json", ids));
		String review = OutcomeRequests.create(gateway, Golden.fill(getClass(), "wellbeing-star-review.json", ids));
		Observation moneyBefore = byLinkId(observationsOf(review), review, "money");

		QuestionnaireResponse amended = gateway.client().read().resource(QuestionnaireResponse.class).withId(review).execute();
		amended.setStatus(QuestionnaireResponseStatus.AMENDED);
		amended.getItem().get(4).getAnswerFirstRep().setValue(new IntegerType(2));
		HttpResponse<String> put = Http.put(gateway.baseUrl() + "/QuestionnaireResponse/" + review, OutcomeRequests.encode(amended));
		assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

		List<Observation> after = observationsOf(review);
		assertThat(after).hasSize(8);
		Observation money = byLinkId(after, review, "money");
		assertThat(money.getIdElement().getIdPart()).isEqualTo(moneyBefore.getIdElement().getIdPart());
		assertThat(money.getStatus()).isEqualTo(ObservationStatus.AMENDED);
		assertThat(money.getValueIntegerType().getValue()).isEqualTo(2);
		assertThat(money.getMeta().getVersionId()).isEqualTo("2");
		Observation lifestyle = byLinkId(after, review, "lifestyle");
		assertThat(lifestyle.getStatus()).as("unchanged items keep their Observation as it was").isEqualTo(ObservationStatus.FINAL);
		assertThat(lifestyle.getMeta().getVersionId()).isEqualTo("1");

		Observation old = gateway.client().read().resource(Observation.class).withIdAndVersion(money.getIdElement().getIdPart(), "1").execute();
		assertThat(old.getValueIntegerType().getValue()).as("the superseded value stays in the history").isEqualTo(4);

		ParametersParameterComponent instrument = instrument(OutcomeRequests.outcomes(gateway, referral));
		assertThat(OutcomeRequests.part(instrument, "responses").getValue().primitiveValue()).isEqualTo("2");
		ParametersParameterComponent moneyScore = item(instrument, "money");
		assertThat(OutcomeRequests.part(moneyScore, "latest").getValue().primitiveValue()).isEqualTo("2");
		assertThat(OutcomeRequests.part(moneyScore, "change").getValue().primitiveValue()).isEqualTo("0");
		Bundle all = Http.parse(Http.get(gateway.baseUrl() + "/Observation?based-on=" + referral.reference() + "&_total=accurate"), Bundle.class);
		assertThat(all.getTotal()).as("8 per response, never more").isEqualTo(16);
	}

	@Test
	void amendmentByPatchIsCapturedLikeAnyOther() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		String id = OutcomeRequests.create(gateway, Golden.fill(getClass(), "ucla3-review.json", referral.placeholders()));

		String patch = "[{\"op\": \"replace\", \"path\": \"/status\", \"value\": \"amended\"},"
				+ " {\"op\": \"replace\", \"path\": \"/item/0/answer/0/valueInteger\", \"value\": 3}]";
		HttpResponse<String> patched = Http.patch(gateway.baseUrl() + "/QuestionnaireResponse/" + id, patch, "application/json-patch+json");
		assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);

		List<Observation> observations = observationsOf(id);
		assertThat(byLinkId(observations, id, "companionship").getValueIntegerType().getValue()).isEqualTo(3);
		assertThat(byLinkId(observations, id, "total").getValueIntegerType().getValue()).isEqualTo(6);
		assertThat(byLinkId(observations, id, "total").getStatus()).isEqualTo(ObservationStatus.AMENDED);

		String outOfRange = "[{\"op\": \"replace\", \"path\": \"/item/0/answer/0/valueInteger\", \"value\": 4}]";
		HttpResponse<String> refused = Http.patch(gateway.baseUrl() + "/QuestionnaireResponse/" + id, outOfRange, "application/json-patch+json");
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
		assertThat(refused.body()).contains("QuestionnaireResponse.item[0].answer[0].valueInteger");
		assertThat(byLinkId(observationsOf(id), id, "total").getValueIntegerType().getValue()).isEqualTo(6);
	}

	@Test
	void withdrawnResponseTakesItsObservationsWithIt() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		Map<String, String> ids = referral.placeholders();
		String baseline = OutcomeRequests.create(gateway, Golden.fill(getClass(), "ons4-baseline.json", ids));
		String review = OutcomeRequests.create(gateway, Golden.fill(getClass(), "ons4-review.json", ids));

		QuestionnaireResponse withdrawn = gateway.client().read().resource(QuestionnaireResponse.class).withId(baseline).execute();
		withdrawn.setStatus(QuestionnaireResponseStatus.ENTEREDINERROR);
		assertThat(Http.put(gateway.baseUrl() + "/QuestionnaireResponse/" + baseline, OutcomeRequests.encode(withdrawn)).statusCode())
				.isEqualTo(200);

		assertThat(observationsOf(baseline)).hasSize(4).allMatch(o -> o.getStatus() == ObservationStatus.ENTEREDINERROR);
		ParametersParameterComponent instrument = instrument(OutcomeRequests.outcomes(gateway, referral));
		assertThat(OutcomeRequests.part(instrument, "responses").getValue().primitiveValue()).isEqualTo("1");
		assertThat(((org.hl7.fhir.r4.model.Reference) OutcomeRequests.part(instrument, "baselineResponse").getValue()).getReference())
				.as("the next response becomes the baseline").isEqualTo("QuestionnaireResponse/" + review);
	}

	@Test
	void refusedAmendmentChangesNothing() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		String id = OutcomeRequests.create(gateway, Golden.fill(getClass(), "ons4-review.json", referral.placeholders()));

		QuestionnaireResponse amended = gateway.client().read().resource(QuestionnaireResponse.class).withId(id).execute();
		amended.setStatus(QuestionnaireResponseStatus.AMENDED);
		amended.getItem().get(3).getAnswerFirstRep().setValue(new IntegerType(11));
		HttpResponse<String> put = Http.put(gateway.baseUrl() + "/QuestionnaireResponse/" + id, OutcomeRequests.encode(amended));

		assertThat(put.statusCode()).isEqualTo(422);
		assertThat(put.body()).contains("Item 'anxious-yesterday'").contains("from 0 (Not at all anxious) to 10 (Completely anxious)");
		assertThat(observationsOf(id)).allMatch(o -> o.getStatus() == ObservationStatus.FINAL && "1".equals(o.getMeta().getVersionId()));
		QuestionnaireResponse stored = gateway.client().read().resource(QuestionnaireResponse.class).withId(id).execute();
		assertThat(stored.getMeta().getVersionId()).isEqualTo("1");
	}

	static List<Observation> observationsOf(String responseId) {
		Bundle found = Http.parse(Http.get(gateway.baseUrl() + "/Observation?derived-from=QuestionnaireResponse/" + responseId), Bundle.class);
		return found.getEntry().stream().map(e -> (Observation) e.getResource()).toList();
	}

	static Observation byLinkId(List<Observation> observations, String responseId, String linkId) {
		String business = "QuestionnaireResponse/" + responseId + "#" + linkId;
		return observations.stream().filter(o -> business.equals(o.getIdentifierFirstRep().getValue())).findFirst()
				.orElseThrow(() -> new AssertionError("no Observation for " + linkId));
	}

	static ParametersParameterComponent instrument(Parameters outcomes) {
		return outcomes.getParameter().stream().filter(p -> p.getName().equals("instrument")).findFirst().orElseThrow();
	}

	static ParametersParameterComponent item(ParametersParameterComponent instrument, String linkId) {
		return instrument.getPart().stream().filter(p -> p.getName().equals("item") || p.getName().equals("total"))
				.filter(p -> linkId.equals(OutcomeRequests.part(p, "linkId").getValue().primitiveValue())).findFirst().orElseThrow();
	}
}
