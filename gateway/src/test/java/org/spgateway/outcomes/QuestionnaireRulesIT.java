package org.spgateway.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.UUID;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemType;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.CodeType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/**
 * Questionnaires created through the API are ordinary writable resources whose scoring rules must hold
 * together, whose url|version is defined once, and whose scoring cannot change once responses name them.
 * Conformance Questionnaires (profiles/) are read-only.
 */
class QuestionnaireRulesIT {

	static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = SharedGateway.get();
	}

	@Test
	void scoringRulesThatDoNotHoldTogetherAreRefused() {
		Questionnaire q = InstrumentVersionsIT.moodQuestionnaire(newUrl(), "1.0.0", 4, PublicationStatus.ACTIVE);
		Questionnaire.QuestionnaireItemComponent total = q.addItem().setLinkId("total").setType(QuestionnaireItemType.INTEGER).setReadOnly(true);
		total.addCode().setSystem("https://example.org/fhir/CodeSystem/mood").setCode("total");
		total.addExtension(new Extension("http://hl7.org/fhir/StructureDefinition/minValue", new IntegerType(0)));
		total.addExtension(new Extension("http://hl7.org/fhir/StructureDefinition/maxValue", new IntegerType(10)));
		total.addExtension(new Extension("https://spgateway.org/fhir/StructureDefinition/sp-score-total", new CodeType("sum")));

		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/Questionnaire", encode(q));

		assertThat(response.statusCode()).isEqualTo(422);
		OperationOutcome outcome = Http.parse(response, OperationOutcome.class);
		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Questionnaire.repeat(item).where(linkId='total')");
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("runs from 0 to 10 but its items add up to 0 to 4");
	}

	@Test
	void aVersionIsDefinedOnce() {
		String url = newUrl();
		gateway.client().create().resource(InstrumentVersionsIT.moodQuestionnaire(url, "1.0.0", 4, PublicationStatus.ACTIVE)).execute();

		HttpResponse<String> again = Http.post(gateway.baseUrl() + "/Questionnaire",
				encode(InstrumentVersionsIT.moodQuestionnaire(url, "1.0.0", 5, PublicationStatus.ACTIVE)));

		assertThat(again.statusCode()).isEqualTo(422);
		OperationOutcome outcome = Http.parse(again, OperationOutcome.class);
		assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.DUPLICATE);
		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Questionnaire.version");
	}

	@Test
	void scoringOfAVersionWithResponsesCannotChange() {
		String url = newUrl();
		String id = gateway.client().create().resource(InstrumentVersionsIT.moodQuestionnaire(url, "1.0.0", 4, PublicationStatus.ACTIVE))
				.execute().getId().getIdPart();
		Questionnaire unanswered = gateway.client().read().resource(Questionnaire.class).withId(id).execute();
		unanswered.setTitle("Mood, reworded");
		assertThat(Http.put(gateway.baseUrl() + "/Questionnaire/" + id, encode(unanswered)).statusCode()).isEqualTo(200);

		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.wellbeingStar(referral);
		response.setQuestionnaire(url + "|1.0.0");
		response.getItem().clear();
		response.addItem().setLinkId("mood").addAnswer().setValue(new IntegerType(3));
		OutcomeRequests.create(gateway, OutcomeRequests.encode(response));

		Questionnaire rescaled = gateway.client().read().resource(Questionnaire.class).withId(id).execute();
		rescaled.getItemFirstRep().getExtensionByUrl("http://hl7.org/fhir/StructureDefinition/maxValue").setValue(new IntegerType(10));
		HttpResponse<String> refused = Http.put(gateway.baseUrl() + "/Questionnaire/" + id, encode(rescaled));
		assertThat(refused.statusCode()).isEqualTo(422);
		assertThat(refused.body()).contains("Publish a new version instead");

		Questionnaire textOnly = gateway.client().read().resource(Questionnaire.class).withId(id).execute();
		textOnly.getItemFirstRep().setText("How is your mood?");
		assertThat(Http.put(gateway.baseUrl() + "/Questionnaire/" + id, encode(textOnly)).statusCode())
				.as("wording may still be corrected").isEqualTo(200);
		assertThat(gateway.client().create().resource(InstrumentVersionsIT.moodQuestionnaire(url, "2.0.0", 10, PublicationStatus.ACTIVE))
				.execute().getCreated()).isTrue();
	}

	@Test
	void shippedInstrumentsAreReadOnly() {
		Questionnaire shipped = gateway.client().read().resource(Questionnaire.class).withId("wellbeing-star").execute();
		shipped.setTitle("Changed");
		HttpResponse<String> response = Http.put(gateway.baseUrl() + "/Questionnaire/wellbeing-star", encode(shipped));
		assertThat(response.statusCode()).isEqualTo(405);
	}

	@Test
	void validateReportsWhatAWriteWouldBeRefusedFor() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.wellbeingStar(referral);
		response.getItem().get(4).getAnswerFirstRep().setValue(new IntegerType(7));

		HttpResponse<String> validated = Http.post(gateway.baseUrl() + "/QuestionnaireResponse/$validate", OutcomeRequests.encode(response));

		assertThat(validated.statusCode()).isEqualTo(200);
		OperationOutcome outcome = Http.parse(validated, OperationOutcome.class);
		assertThat(outcome.getIssue()).anySatisfy(i -> {
			assertThat(i.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
			assertThat(i.getExpression().get(0).getValue()).isEqualTo("QuestionnaireResponse.item[4].answer[0].valueInteger");
		});
		OutcomeRequests.assertNothingStored(gateway, referral);
	}

	private static String newUrl() {
		return "https://example.org/fhir/Questionnaire/mood-" + UUID.randomUUID();
	}

	private static String encode(Questionnaire q) {
		return GatewayServer.fhirContext().newJsonParser().encodeResourceToString(q);
	}
}
