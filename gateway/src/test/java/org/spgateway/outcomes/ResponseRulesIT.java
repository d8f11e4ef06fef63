package org.spgateway.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.OperationOutcomeIssueComponent;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseStatus;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/**
 * A response is checked against the exact Questionnaire version it names. Every rejection is a 422
 * whose issue points at the offending element and says, in words, what the item takes; nothing is
 * stored. The generic validator (base specification and profiles) does not check responses against
 * Questionnaires, so each problem is reported exactly once.
 */
class ResponseRulesIT {

	private static final String SOURCES = "https://spgateway.org/fhir/CodeSystem/sp-referral-source";

	static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = SharedGateway.get();
	}

	@Test
	void outOfRangeAnswerIsRefusedNamingTheItemAndItsRange() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.wellbeingStar(referral);
		response.getItem().get(4).getAnswerFirstRep().setValue(new IntegerType(7));

		OperationOutcome outcome = OutcomeRequests.reject(gateway, OutcomeRequests.encode(response));

		assertThat(outcome.getIssue()).hasSize(1);
		OperationOutcomeIssueComponent issue = outcome.getIssueFirstRep();
		assertThat(issue.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
		assertThat(issue.getCode()).isEqualTo(OperationOutcome.IssueType.VALUE);
		assertThat(issue.getExpression()).extracting(StringType::getValue)
				.containsExactly("QuestionnaireResponse.item[4].answer[0].valueInteger");
		assertThat(issue.getDiagnostics()).contains("Item 'money'")
				.contains("a whole number from 1 (Not thinking about it) to 5 (As good as it can be)").contains("7 is out of range");
		OutcomeRequests.assertNothingStored(gateway, referral);
	}

	@Test
	void unknownLinkIdIsRefused() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.wellbeingStar(referral);
		response.addItem().setLinkId("sleep").addAnswer().setValue(new IntegerType(3));

		OperationOutcome outcome = OutcomeRequests.reject(gateway, OutcomeRequests.encode(response));

		assertThat(outcome.getIssue()).hasSize(1);
		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("QuestionnaireResponse.item[8].linkId");
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("Item 'sleep' is not in Questionnaire WellbeingStar 1.0.0")
				.contains("lifestyle, looking-after-yourself");
		OutcomeRequests.assertNothingStored(gateway, referral);
	}

	@Test
	void missingRequiredItemIsRefused() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.wellbeingStar(referral);
		response.getItem().remove(7);

		OperationOutcome outcome = OutcomeRequests.reject(gateway, OutcomeRequests.encode(response));

		assertThat(outcome.getIssue()).hasSize(1);
		assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.REQUIRED);
		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue())
				.isEqualTo("QuestionnaireResponse.item.where(linkId='feeling-positive')");
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("Required item 'feeling-positive'").contains("has no answer");
		OutcomeRequests.assertNothingStored(gateway, referral);
	}

	@Test
	void answerOfTheWrongTypeIsRefusedSayingWhatTheItemTakes() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.wellbeingStar(referral);
		response.getItem().get(0).getAnswerFirstRep().setValue(new StringType("3"));

		OperationOutcome outcome = OutcomeRequests.reject(gateway, OutcomeRequests.encode(response));

		assertThat(outcome.getIssue()).hasSize(1);
		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("QuestionnaireResponse.item[0].answer[0].valueString");
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("Item 'lifestyle'")
				.contains("takes a whole number from 1 (Not thinking about it) to 5 (As good as it can be) (valueInteger); the answer is a valueString");
		OutcomeRequests.assertNothingStored(gateway, referral);
	}

	@Test
	void secondAnswerToANonRepeatingItemIsRefused() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.wellbeingStar(referral);
		response.getItem().get(2).addAnswer().setValue(new IntegerType(4));

		OperationOutcome outcome = OutcomeRequests.reject(gateway, OutcomeRequests.encode(response));

		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("QuestionnaireResponse.item[2].answer[1]");
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("Item 'managing-symptoms' takes one answer");
	}

	@Test
	void everyProblemIsReportedAtOnce() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.wellbeingStar(referral);
		response.getItem().get(1).getAnswerFirstRep().setValue(new IntegerType(0));
		response.getItem().get(6).getAnswerFirstRep().setValue(new IntegerType(6));
		response.getItem().remove(7);

		OperationOutcome outcome = OutcomeRequests.reject(gateway, OutcomeRequests.encode(response));

		assertThat(outcome.getIssue()).extracting(i -> i.getExpression().get(0).getValue()).containsExactlyInAnyOrder(
				"QuestionnaireResponse.item[1].answer[0].valueInteger", "QuestionnaireResponse.item[6].answer[0].valueInteger",
				"QuestionnaireResponse.item.where(linkId='feeling-positive')");
	}

	@Test
	void responseToAQuestionnaireTheGatewayDoesNotHaveIsRefused() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.wellbeingStar(referral);
		response.setQuestionnaire("https://example.org/fhir/Questionnaire/phq9|1.0.0");

		OperationOutcome outcome = OutcomeRequests.reject(gateway, OutcomeRequests.encode(response));

		assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.NOTFOUND);
		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("QuestionnaireResponse.questionnaire");
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("no Questionnaire with url https://example.org/fhir/Questionnaire/phq9");
		OutcomeRequests.assertNothingStored(gateway, referral);
	}

	@Test
	void versionTheGatewayDoesNotHaveIsRefusedListingTheVersionsItHas() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.wellbeingStar(referral);
		response.setQuestionnaire("https://spgateway.org/fhir/Questionnaire/wellbeing-star|9.9.9");

		OperationOutcome outcome = OutcomeRequests.reject(gateway, OutcomeRequests.encode(response));

		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("in version 1.0.0 but not in version 9.9.9");
		OutcomeRequests.assertNothingStored(gateway, referral);
	}

	@Test
	void totalThatDisagreesWithTheAnswersIsRefused() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.ucla3(referral);
		response.addItem().setLinkId("total").addAnswer().setValue(new IntegerType(8));

		OperationOutcome outcome = OutcomeRequests.reject(gateway, OutcomeRequests.encode(response));

		assertThat(outcome.getIssue()).hasSize(1);
		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("QuestionnaireResponse.item[3].answer[0].valueInteger");
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("is 8 but the answers add up to 5")
				.contains("companionship 2 + left-out 1 + isolated 2");
		OutcomeRequests.assertNothingStored(gateway, referral);
	}

	@Test
	void totalThatAgreesIsAcceptedAndCountedOnce() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.ucla3(referral);
		response.addItem().setLinkId("total").addAnswer().setValue(new IntegerType(5));

		String id = OutcomeRequests.create(gateway, OutcomeRequests.encode(response));

		Bundle observations = Http.parse(Http.get(gateway.baseUrl() + "/Observation?derived-from=QuestionnaireResponse/" + id
				+ "&code=https://spgateway.org/fhir/CodeSystem/sp-outcome-measures%7Cucla3-total"), Bundle.class);
		assertThat(observations.getEntry()).hasSize(1);
		assertThat(((org.hl7.fhir.r4.model.Observation) observations.getEntryFirstRep().getResource()).getValueIntegerType().getValue())
				.isEqualTo(5);
	}

	@Test
	void inProgressResponseMayLeaveItemsOutAndIsNotExtracted() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.wellbeingStar(referral);
		response.setStatus(QuestionnaireResponseStatus.INPROGRESS);
		response.getItem().subList(3, 8).clear();

		String id = OutcomeRequests.create(gateway, OutcomeRequests.encode(response));

		Bundle observations = Http.parse(Http.get(gateway.baseUrl() + "/Observation?derived-from=QuestionnaireResponse/" + id), Bundle.class);
		assertThat(observations.getEntry()).isEmpty();
	}

	@Test
	void inProgressResponseIsStillCheckedForRanges() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.wellbeingStar(referral);
		response.setStatus(QuestionnaireResponseStatus.INPROGRESS);
		response.getItem().subList(3, 8).clear();
		response.getItem().get(0).getAnswerFirstRep().setValue(new IntegerType(9));

		OperationOutcome outcome = OutcomeRequests.reject(gateway, OutcomeRequests.encode(response));

		assertThat(outcome.getIssue()).extracting(i -> i.getExpression().get(0).getValue())
				.containsExactly("QuestionnaireResponse.item[0].answer[0].valueInteger");
	}

	@Test
	void aCodedAnswerOutsideItsQuestionsValueSetIsRefused() {
		String url = "https://example.org/fhir/Questionnaire/referral-source-" + java.util.UUID.randomUUID();
		Questionnaire q = new Questionnaire().setUrl(url).setVersion("1").setName("HowReferred").setStatus(Enumerations.PublicationStatus.ACTIVE);
		q.addItem().setLinkId("source").setText("Who suggested social prescribing?").setType(Questionnaire.QuestionnaireItemType.CHOICE)
				.setRequired(true).setAnswerValueSet("https://spgateway.org/fhir/ValueSet/sp-referral-source");
		assertThat(Http.post(gateway.baseUrl() + "/Questionnaire", Http.json(q)).statusCode()).isEqualTo(201);

		OutcomeRequests.create(gateway, OutcomeRequests.encode(answering(url, new Coding(SOURCES, "self", null))));
		// A real code (the validator checks each code against its code system), but not a referral source.
		Coding elsewhere = new Coding("http://hl7.org/fhir/administrative-gender", "female", null);
		OperationOutcome outcome = OutcomeRequests.reject(gateway, OutcomeRequests.encode(answering(url, elsewhere)));

		assertThat(outcome.getIssue()).singleElement().satisfies(issue -> {
			assertThat(issue.getCode()).isEqualTo(OperationOutcome.IssueType.CODEINVALID);
			assertThat(issue.getExpression()).extracting(StringType::getValue).containsExactly("QuestionnaireResponse.item[0].answer[0].valueCoding");
			assertThat(issue.getDiagnostics()).contains("administrative-gender|female").contains("is not in its value set https://spgateway.org/fhir/ValueSet/sp-referral-source");
		});
	}

	private static QuestionnaireResponse answering(String questionnaire, Coding answer) {
		QuestionnaireResponse response = new QuestionnaireResponse().setStatus(QuestionnaireResponseStatus.COMPLETED)
				.setQuestionnaire(questionnaire + "|1");
		response.addItem().setLinkId("source").addAnswer().setValue(answer);
		return response;
	}
}
