package org.spgateway.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemType;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.Golden;

/**
 * Several versions of one instrument, and instruments that exist only as data: a second version of the
 * Wellbeing Star (1 to 10 ladder) and a brand-new instrument, both in a test profiles folder added with
 * gateway.conformance.additional-locations, and versions created through the API in either order.
 */
class InstrumentVersionsIT {

	static final String WELLBEING_STAR = "https://spgateway.org/fhir/Questionnaire/wellbeing-star";
	static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = TestInstrumentsGateway.get();
	}

	@Test
	void exactVersionIsCheckedAgainstItsOwnScale() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse onFive = withLifestyle(referral, WELLBEING_STAR + "|1.0.0", 7);
		OperationOutcome outcome = OutcomeRequests.reject(gateway, OutcomeRequests.encode(onFive));
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("from 1 (Not thinking about it) to 5 (As good as it can be)");

		QuestionnaireResponse onTen = withLifestyle(referral, WELLBEING_STAR + "|2.0.0", 7);
		OutcomeRequests.create(gateway, OutcomeRequests.encode(onTen));

		QuestionnaireResponse tooHigh = withLifestyle(referral, WELLBEING_STAR + "|2.0.0", 11);
		assertThat(OutcomeRequests.reject(gateway, OutcomeRequests.encode(tooHigh)).getIssueFirstRep().getDiagnostics())
				.contains("from 1 (Not thinking about it) to 10 (As good as it can be); 11 is out of range");
	}

	@Test
	void urlAloneIsTheHighestActiveVersion() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		String id = OutcomeRequests.create(gateway, OutcomeRequests.encode(withLifestyle(referral, WELLBEING_STAR, 9)));

		QuestionnaireResponse stored = gateway.client().read().resource(QuestionnaireResponse.class).withId(id).execute();
		assertThat(stored.getQuestionnaire()).isEqualTo(WELLBEING_STAR + "|2.0.0");
	}

	/** Versions are ordered as versions (1.10.0 after 1.9.0), not by text nor by when they were created; drafts are never current. */
	@Test
	void currentVersionDoesNotDependOnCreationOrder() {
		for (List<String> order : List.of(List.of("1.9.0", "1.10.0", "2.0.0-draft"), List.of("2.0.0-draft", "1.10.0", "1.9.0"))) {
			String url = "https://example.org/fhir/Questionnaire/mood-" + UUID.randomUUID();
			for (String version : order) {
				int max = version.equals("1.10.0") ? 10 : 4;
				PublicationStatus status = version.endsWith("draft") ? PublicationStatus.DRAFT : PublicationStatus.ACTIVE;
				gateway.client().create().resource(moodQuestionnaire(url, version, max, status)).execute();
			}
			TestReferrals.Referral referral = TestReferrals.create(gateway);
			QuestionnaireResponse response = OutcomeRequests.wellbeingStar(referral);
			response.setQuestionnaire(url);
			response.getItem().clear();
			response.addItem().setLinkId("mood").addAnswer().setValue(new IntegerType(8));

			String id = OutcomeRequests.create(gateway, OutcomeRequests.encode(response));

			QuestionnaireResponse stored = gateway.client().read().resource(QuestionnaireResponse.class).withId(id).execute();
			assertThat(stored.getQuestionnaire()).as("created in the order %s", order).isEqualTo(url + "|1.10.0");
		}
	}

	/** A version that scores differently starts its own series: no change is computed across two scales. */
	@Test
	void changeIsNeverComputedAcrossScales() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		OutcomeRequests.create(gateway, Golden.fill(getClass(), "wellbeing-star-baseline.json", referral.placeholders()));
		QuestionnaireResponse onTen = OutcomeRequests.parse(Golden.fill(getClass(), "wellbeing-star-review.json", referral.placeholders()));
		onTen.setQuestionnaire(WELLBEING_STAR + "|2.0.0");
		onTen.getItem().forEach(i -> i.getAnswerFirstRep().setValue(new IntegerType(8)));
		OutcomeRequests.create(gateway, OutcomeRequests.encode(onTen));

		Parameters outcomes = Http.parse(Http.get(gateway.baseUrl() + "/ServiceRequest/" + referral.id() + "/$outcomes"), Parameters.class);

		List<ParametersParameterComponent> instruments = outcomes.getParameter().stream().filter(p -> p.getName().equals("instrument")).toList();
		assertThat(instruments).extracting(i -> OutcomeRequests.part(i, "questionnaire").getValue().primitiveValue())
				.containsExactly(WELLBEING_STAR + "|1.0.0", WELLBEING_STAR + "|2.0.0");
		for (ParametersParameterComponent instrument : instruments) {
			assertThat(((IntegerType) OutcomeRequests.part(instrument, "responses").getValue()).getValue()).isEqualTo(1);
			ParametersParameterComponent lifestyle = instrument.getPart().stream().filter(p -> p.getName().equals("item")).findFirst().orElseThrow();
			assertThat(OutcomeRequests.part(lifestyle, "change").getValue().primitiveValue()).isEqualTo("0");
		}
	}

	@Test
	void brandNewInstrumentFromATestProfilesFolder() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		Map<String, String> ids = referral.placeholders();
		ids.put("baseline", OutcomeRequests.create(gateway, Golden.fill(getClass(), "swemwbs-baseline.json", ids)));
		ids.put("review", OutcomeRequests.create(gateway, Golden.fill(getClass(), "swemwbs-review.json", ids)));

		HttpResponse<String> observations = Http.get(gateway.baseUrl() + "/Observation?derived-from=QuestionnaireResponse/" + ids.get("review"));
		Golden.assertMatches(getClass(), "swemwbs-review-observations.json", ids, Golden.collection(Http.parse(observations, Bundle.class)));
		HttpResponse<String> outcomes = Http.get(gateway.baseUrl() + "/ServiceRequest/" + referral.id() + "/$outcomes");
		Golden.assertMatches(getClass(), "swemwbs-outcomes.json", ids, Http.parse(outcomes, Parameters.class));

		Bundle found = Http.parse(Http.get(gateway.baseUrl() + "/Questionnaire?name=SWEMWBS"), Bundle.class);
		assertThat(found.getEntry()).hasSize(1);
	}

	@Test
	void brandNewInstrumentRefusesAnAnswerThatIsNotOneOfItsOptions() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		QuestionnaireResponse response = OutcomeRequests.parse(Golden.fill(getClass(), "swemwbs-baseline.json", referral.placeholders()));
		// A code of the instrument's CodeSystem (so the base validation passes) that is not one of this item's options.
		response.getItem().get(2).getAnswerFirstRep().getValueCoding().setCode("optimistic").setDisplay("Optimism about the future");

		OperationOutcome outcome = OutcomeRequests.reject(gateway, OutcomeRequests.encode(response));

		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("QuestionnaireResponse.item[2].answer[0].valueCoding");
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("to item 'relaxed'").contains("is not one of its options")
				.contains("https://example.org/fhir/CodeSystem/swemwbs-test|often (Often)");
	}

	private static QuestionnaireResponse withLifestyle(TestReferrals.Referral referral, String questionnaire, int lifestyle) {
		QuestionnaireResponse response = OutcomeRequests.wellbeingStar(referral);
		response.setQuestionnaire(questionnaire);
		response.getItemFirstRep().getAnswerFirstRep().setValue(new IntegerType(lifestyle));
		return response;
	}

	static Questionnaire moodQuestionnaire(String url, String version, int max, PublicationStatus status) {
		Questionnaire q = new Questionnaire();
		q.setUrl(url).setVersion(version).setName("Mood").setStatus(status);
		Questionnaire.QuestionnaireItemComponent item = q.addItem().setLinkId("mood").setText("Mood").setType(QuestionnaireItemType.INTEGER)
				.setRequired(true);
		item.addExtension(new Extension("http://hl7.org/fhir/StructureDefinition/minValue", new IntegerType(0)));
		item.addExtension(new Extension("http://hl7.org/fhir/StructureDefinition/maxValue", new IntegerType(max)));
		item.addCode().setSystem("https://example.org/fhir/CodeSystem/mood").setCode("mood");
		return q;
	}
}
