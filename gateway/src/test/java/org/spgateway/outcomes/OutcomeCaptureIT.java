package org.spgateway.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Parameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;
import org.spgateway.testsupport.Golden;

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

	@Test
	void responseMustBeBasedOnAnExistingReferral() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.wellbeingStar(referral);
		response.getBasedOnFirstRep().setReference("ServiceRequest/" + UUID.randomUUID());

		OperationOutcome outcome = OutcomeRequests.reject(gateway, OutcomeRequests.encode(response));

		assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.NOTFOUND);
		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("QuestionnaireResponse.basedOn[0]");
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("is not known to this gateway");
	}

	@Test
	void responseMustNameItsReferral() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.wellbeingStar(referral);
		response.getBasedOn().clear();

		OperationOutcome outcome = OutcomeRequests.reject(gateway, OutcomeRequests.encode(response));

		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("QuestionnaireResponse.basedOn");
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("must be based on the referral it measures");
	}

	@Test
	void responseMustBeAboutTheReferralsPatient() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		TestReferrals.Referral other = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.wellbeingStar(referral);
		response.getSubject().setReference(other.patientReference());

		OperationOutcome outcome = OutcomeRequests.reject(gateway, OutcomeRequests.encode(response));

		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("QuestionnaireResponse.subject");
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("is about " + other.patientReference())
				.contains("is for " + referral.patientReference());
		OutcomeRequests.assertNothingStored(gateway, referral);
	}

	@Test
	void completedResponseMustSayWhenItWasGivenAndNotInTheFuture() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse undated = OutcomeRequests.wellbeingStar(referral);
		undated.setAuthoredElement(null);
		assertThat(OutcomeRequests.reject(gateway, OutcomeRequests.encode(undated)).getIssueFirstRep().getExpression().get(0).getValue())
				.isEqualTo("QuestionnaireResponse.authored");

		QuestionnaireResponse future = OutcomeRequests.wellbeingStar(referral);
		future.setAuthoredElement(new DateTimeType(Date.from(Instant.now().plus(Duration.ofDays(2)))));
		assertThat(OutcomeRequests.reject(gateway, OutcomeRequests.encode(future)).getIssueFirstRep().getDiagnostics())
				.contains("is in the future");
		OutcomeRequests.assertNothingStored(gateway, referral);
	}

	@Test
	void urlAloneMeansTheCurrentVersionAndTheStoredResponseNamesIt() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.wellbeingStar(referral);
		response.setQuestionnaire("https://spgateway.org/fhir/Questionnaire/wellbeing-star");

		String id = OutcomeRequests.create(gateway, OutcomeRequests.encode(response));

		QuestionnaireResponse stored = gateway.client().read().resource(QuestionnaireResponse.class).withId(id).execute();
		assertThat(stored.getQuestionnaire()).isEqualTo("https://spgateway.org/fhir/Questionnaire/wellbeing-star|1.0.0");
	}

	@Test
	void responsesInATransactionAreCapturedAllOrNothing() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		transaction.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(OutcomeRequests.wellbeingStar(referral))
				.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("QuestionnaireResponse");
		QuestionnaireResponse broken = OutcomeRequests.ucla3(referral);
		broken.getItemFirstRep().getAnswerFirstRep().setValue(new IntegerType(4));
		transaction.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(broken)
				.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("QuestionnaireResponse");
		String body = GatewayServer.fhirContext().newJsonParser().encodeResourceToString(transaction);

		HttpResponse<String> refused = Http.post(gateway.baseUrl(), body);

		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
		OperationOutcome outcome = Http.parse(refused, OperationOutcome.class);
		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Bundle.entry[1].resource.item[0].answer[0].valueInteger");
		OutcomeRequests.assertNothingStored(gateway, referral);

		transaction.getEntry().remove(1);
		HttpResponse<String> accepted = Http.post(gateway.baseUrl(), GatewayServer.fhirContext().newJsonParser().encodeResourceToString(transaction));
		assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
		Bundle observations = Http.parse(Http.get(gateway.baseUrl() + "/Observation?based-on=" + referral.reference()), Bundle.class);
		assertThat(observations.getEntry()).hasSize(8);
	}

	@Test
	void extractedObservationsAreValidFhir() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		String id = OutcomeRequests.create(gateway, Golden.fill(getClass(), "ucla3-review.json", referral.placeholders()));
		Bundle observations = Http.parse(Http.get(gateway.baseUrl() + "/Observation?derived-from=QuestionnaireResponse/" + id), Bundle.class);
		assertThat(observations.getEntry()).hasSize(4);
		for (Bundle.BundleEntryComponent entry : observations.getEntry()) {
			HttpResponse<String> validated = Http.post(gateway.baseUrl() + "/Observation/$validate",
					GatewayServer.fhirContext().newJsonParser().encodeResourceToString(entry.getResource()));
			OperationOutcome outcome = Http.parse(validated, OperationOutcome.class);
			assertThat(outcome.getIssue()).noneMatch(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR);
		}
	}

	@Test
	void shippedInstrumentsAreFoundBySearch() {
		for (String query : List.of("name=WellbeingStar", "url=https://spgateway.org/fhir/Questionnaire/wellbeing-star", "version=1.0.0&name=WellbeingStar",
				"status=active&name=WellbeingStar", "title=Wellbeing")) {
			Bundle found = Http.parse(Http.get(gateway.baseUrl() + "/Questionnaire?" + query), Bundle.class);
			assertThat(found.getEntry()).as(query).extracting(e -> ((Questionnaire) e.getResource()).getName()).contains("WellbeingStar");
		}
		for (String name : List.of("ONS4", "UCLA3")) {
			Bundle found = Http.parse(Http.get(gateway.baseUrl() + "/Questionnaire?name=" + name), Bundle.class);
			assertThat(found.getEntry()).as(name).hasSize(1);
		}
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
