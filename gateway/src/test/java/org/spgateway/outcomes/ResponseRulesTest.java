package org.spgateway.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemOperator;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemType;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseStatus;
import org.junit.jupiter.api.Test;
import org.spgateway.validation.ValidationIssue;

/** Item rules that need no gateway: groups, nesting and enableWhen. */
class ResponseRulesTest {

	private static Questionnaire questionnaire() {
		Questionnaire q = new Questionnaire().setUrl("https://example.org/q").setVersion("1").setName("Test");
		Questionnaire.QuestionnaireItemComponent group = q.addItem().setLinkId("work").setType(QuestionnaireItemType.GROUP).setRequired(true);
		group.addItem().setLinkId("employed").setType(QuestionnaireItemType.BOOLEAN).setRequired(true);
		Questionnaire.QuestionnaireItemComponent hours = group.addItem().setLinkId("hours").setType(QuestionnaireItemType.INTEGER).setRequired(true);
		hours.addEnableWhen().setQuestion("employed").setOperator(QuestionnaireItemOperator.EQUAL).setAnswer(new BooleanType(true));
		return q;
	}

	private static QuestionnaireResponse response(boolean employed) {
		QuestionnaireResponse r = new QuestionnaireResponse().setStatus(QuestionnaireResponseStatus.COMPLETED);
		r.addItem().setLinkId("work").addItem().setLinkId("employed").addAnswer().setValue(new BooleanType(employed));
		return r;
	}

	@Test
	void requiredItemSwitchedOffByEnableWhenNeedNotBeAnswered() {
		Instrument instrument = InstrumentCompiler.compile(questionnaire());
		assertThat(ResponseRules.check(response(false), instrument)).isEmpty();
	}

	@Test
	void requiredItemSwitchedOnMustBeAnsweredAndIsPointedAtInItsGroup() {
		Instrument instrument = InstrumentCompiler.compile(questionnaire());
		assertThat(ResponseRules.check(response(true), instrument)).extracting(ValidationIssue::expression)
				.containsExactly("QuestionnaireResponse.item[0].item.where(linkId='hours')");

		QuestionnaireResponse answered = response(true);
		answered.getItemFirstRep().addItem().setLinkId("hours").addAnswer().setValue(new IntegerType(16));
		assertThat(ResponseRules.check(answered, instrument)).isEmpty();
	}

	@Test
	void groupsTakeItemsNotAnswers() {
		Instrument instrument = InstrumentCompiler.compile(questionnaire());
		QuestionnaireResponse r = response(false);
		r.getItemFirstRep().addAnswer().setValue(new IntegerType(1));
		assertThat(ResponseRules.check(r, instrument)).extracting(ValidationIssue::expression).containsExactly("QuestionnaireResponse.item[0].answer[0]");
	}

	@Test
	void anItemInTheWrongPlaceIsUnknownThere() {
		Instrument instrument = InstrumentCompiler.compile(questionnaire());
		QuestionnaireResponse r = response(false);
		r.addItem().setLinkId("employed").addAnswer().setValue(new BooleanType(false));
		assertThat(ResponseRules.check(r, instrument)).singleElement().satisfies(i -> {
			assertThat(i.expression()).isEqualTo("QuestionnaireResponse.item[1].linkId");
			assertThat(i.diagnostics()).contains("the items here are work");
		});
	}
}
