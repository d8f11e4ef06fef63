package org.spgateway.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.InputStream;
import java.time.Period;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Duration;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemComponent;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemType;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InstrumentCompilerTest {

	static final FhirContext FHIR = FhirContext.forR4Cached();

	@ParameterizedTest
	@ValueSource(strings = {"wellbeing-star", "ons4", "ucla3"})
	void shippedInstrumentsCompile(String name) throws IOException {
		Instrument instrument = InstrumentCompiler.compile(shipped(name));
		assertThat(instrument.problems()).isEmpty();
		assertThat(instrument.isScored()).isTrue();
		assertThat(instrument.scoredItems()).allMatch(ScoredItem::extract);
	}

	@Test
	void shippedInstrumentsSayHowTheyAreScored() throws IOException {
		Instrument star = InstrumentCompiler.compile(shipped("wellbeing-star"));
		assertThat(star.scored().keySet()).containsExactly("lifestyle", "looking-after-yourself", "managing-symptoms",
				"work-volunteering-and-other-activities", "money", "where-you-live", "family-and-friends", "feeling-positive");
		assertThat(star.scoredItems()).allMatch(i -> i.low() == 1 && i.high() == 5 && i.direction() == ScoreDirection.HIGHER_IS_BETTER);
		assertThat(star.total()).isNull();
		assertThat(star.reviewInterval()).isEqualTo(Period.ofMonths(6));

		Instrument ons4 = InstrumentCompiler.compile(shipped("ons4"));
		assertThat(ons4.scored().get("anxious-yesterday").direction()).isEqualTo(ScoreDirection.LOWER_IS_BETTER);
		assertThat(ons4.scored().get("life-satisfaction").direction()).isEqualTo(ScoreDirection.HIGHER_IS_BETTER);
		assertThat(ons4.scoredItems()).allMatch(i -> i.low() == 0 && i.high() == 10);

		Instrument ucla3 = InstrumentCompiler.compile(shipped("ucla3"));
		assertThat(ucla3.total().low()).isEqualTo(3);
		assertThat(ucla3.total().high()).isEqualTo(9);
		assertThat(ucla3.total().direction()).isEqualTo(ScoreDirection.LOWER_IS_BETTER);
	}

	@Test
	void reverseScoredItemCountsBackwardsTowardsTheTotalButKeepsItsAnswer() {
		Questionnaire q = new Questionnaire().setUrl("https://example.org/q").setVersion("1");
		integer(q, "calm", 1, 5);
		integer(q, "worried", 1, 5).getExtension().add(new Extension(OutcomeExtensions.REVERSE_SCORED, new BooleanType(true)));
		total(q, 2, 10);
		Instrument instrument = InstrumentCompiler.compile(q);
		assertThat(instrument.problems()).isEmpty();

		QuestionnaireResponse response = new QuestionnaireResponse();
		response.addItem().setLinkId("calm").addAnswer().setValue(new IntegerType(4));
		response.addItem().setLinkId("worried").addAnswer().setValue(new IntegerType(2));
		Scores scores = Scores.of(response, instrument);

		assertThat(scores.items()).containsEntry("worried", 2);
		assertThat(scores.total()).isEqualTo(4 + (1 + 5 - 2));
		assertThat(scores.workings()).isEqualTo("calm 4 + worried (reversed: 1 + 5 - 2 = 4)");
	}

	@Test
	void choiceItemsScoreByTheirOptionsOrdinalValues() {
		Questionnaire q = new Questionnaire().setUrl("https://example.org/q").setVersion("1");
		QuestionnaireItemComponent item = q.addItem().setLinkId("often").setType(QuestionnaireItemType.CHOICE);
		item.addCode().setSystem("https://example.org/cs").setCode("often");
		for (int i = 1; i <= 3; i++) {
			Coding option = new Coding("https://example.org/answers", "a" + i, "Answer " + i);
			option.addExtension(new Extension(OutcomeExtensions.ORDINAL_VALUE, new DecimalType(i * 2)));
			item.addAnswerOption().setValue(option);
		}
		Instrument instrument = InstrumentCompiler.compile(q);
		assertThat(instrument.problems()).isEmpty();
		assertThat(instrument.scored().get("often").low()).isEqualTo(2);
		assertThat(instrument.scored().get("often").high()).isEqualTo(6);
		assertThat(instrument.scored().get("often").rangeInWords()).isEqualTo("from 2 (Answer 1) to 6 (Answer 3)");

		QuestionnaireResponse response = new QuestionnaireResponse();
		response.addItem().setLinkId("often").addAnswer().setValue(new Coding("https://example.org/answers", "a2", null));
		assertThat(Scores.of(response, instrument).items()).containsEntry("often", 4);
	}

	@Test
	void contradictoryScoringRulesAreProblems() {
		Questionnaire q = new Questionnaire().setUrl("https://example.org/q").setVersion("1");
		integer(q, "a", 1, 5);
		q.addItem().setLinkId("uncoded").setType(QuestionnaireItemType.INTEGER)
				.getExtension().add(new Extension(OutcomeExtensions.SCORE_DIRECTION, new CodeType("lower-is-better")));
		integer(q, "backwards", 5, 1);
		total(q, 0, 99);
		Extension interval = new Extension(OutcomeExtensions.REVIEW_INTERVAL);
		interval.addExtension("interval", new Duration().setValue(2).setCode("h").setSystem("http://unitsofmeasure.org"));
		q.addExtension(interval);

		Instrument instrument = InstrumentCompiler.compile(q);

		assertThat(instrument.problems()).extracting(Instrument.Problem::linkId).contains("uncoded", "backwards", "total", null);
		assertThat(instrument.problemMessages()).anyMatch(m -> m.contains("scoring extensions but no code"))
				.anyMatch(m -> m.contains("minValue 5 above its maxValue 1")).anyMatch(m -> m.contains("runs from 0 to 99 but its items add up to 1 to 5"))
				.anyMatch(m -> m.contains("'h' is not one of d, wk, mo, a"));
	}

	@Test
	void versionsThatScoreAlikeShareASignatureAndOthersDoNot() throws IOException {
		Questionnaire v1 = shipped("wellbeing-star");
		Questionnaire v1Reworded = v1.copy().setVersion("1.0.1");
		v1Reworded.getItemFirstRep().setText("Lifestyle");
		Questionnaire ladder = v1.copy().setVersion("2.0.0");
		ladder.getItem().forEach(i -> i.getExtensionByUrl(OutcomeExtensions.MAX_VALUE).setValue(new IntegerType(10)));
		ladder.getItem().forEach(i -> i.getExtension().removeIf(e -> e.getUrl().equals(OutcomeExtensions.SCALE_LABEL)));

		String signature = InstrumentCompiler.compile(v1).signature();
		assertThat(InstrumentCompiler.compile(v1Reworded).signature()).isEqualTo(signature);
		assertThat(InstrumentCompiler.compile(ladder).signature()).isNotEqualTo(signature);
	}

	private static QuestionnaireItemComponent integer(Questionnaire q, String linkId, int min, int max) {
		QuestionnaireItemComponent item = q.addItem().setLinkId(linkId).setType(QuestionnaireItemType.INTEGER);
		item.addCode().setSystem("https://example.org/cs").setCode(linkId);
		item.addExtension(new Extension(OutcomeExtensions.MIN_VALUE, new IntegerType(min)));
		item.addExtension(new Extension(OutcomeExtensions.MAX_VALUE, new IntegerType(max)));
		return item;
	}

	private static void total(Questionnaire q, int min, int max) {
		integer(q, "total", min, max).setReadOnly(true).getExtension().add(new Extension(OutcomeExtensions.SCORE_TOTAL, new CodeType("sum")));
	}

	static Questionnaire shipped(String name) throws IOException {
		try (InputStream in = InstrumentCompilerTest.class.getResourceAsStream("/profiles/Questionnaire/" + name + ".json")) {
			return FHIR.newJsonParser().parseResource(Questionnaire.class, in);
		}
	}
}
