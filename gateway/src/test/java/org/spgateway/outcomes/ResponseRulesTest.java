package org.spgateway.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemOperator;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemType;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseStatus;
import org.junit.jupiter.api.Test;
import org.spgateway.validation.ValidationIssue;

/** Item rules that need no gateway: groups, nesting, enableWhen and answers from a value set. */
class ResponseRulesTest {

	/** FHIR's own ValueSets, expanded in memory, as the gateway's terminology does. */
	private static final AnswerValueSets VALUE_SETS = new AnswerValueSets(new ValidationSupportChain(
			new DefaultProfileValidationSupport(FhirContext.forR4Cached()), new InMemoryTerminologyServerValidationSupport(FhirContext.forR4Cached())));

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
		assertThat(ResponseRules.check(response(false), instrument, VALUE_SETS)).isEmpty();
	}

	@Test
	void requiredItemSwitchedOnMustBeAnsweredAndIsPointedAtInItsGroup() {
		Instrument instrument = InstrumentCompiler.compile(questionnaire());
		assertThat(ResponseRules.check(response(true), instrument, VALUE_SETS)).extracting(ValidationIssue::expression)
				.containsExactly("QuestionnaireResponse.item[0].item.where(linkId='hours')");

		QuestionnaireResponse answered = response(true);
		answered.getItemFirstRep().addItem().setLinkId("hours").addAnswer().setValue(new IntegerType(16));
		assertThat(ResponseRules.check(answered, instrument, VALUE_SETS)).isEmpty();
	}

	@Test
	void groupsTakeItemsNotAnswers() {
		Instrument instrument = InstrumentCompiler.compile(questionnaire());
		QuestionnaireResponse r = response(false);
		r.getItemFirstRep().addAnswer().setValue(new IntegerType(1));
		assertThat(ResponseRules.check(r, instrument, VALUE_SETS)).extracting(ValidationIssue::expression).containsExactly("QuestionnaireResponse.item[0].answer[0]");
	}

	@Test
	void anItemInTheWrongPlaceIsUnknownThere() {
		Instrument instrument = InstrumentCompiler.compile(questionnaire());
		QuestionnaireResponse r = response(false);
		r.addItem().setLinkId("employed").addAnswer().setValue(new BooleanType(false));
		assertThat(ResponseRules.check(r, instrument, VALUE_SETS)).singleElement().satisfies(i -> {
			assertThat(i.expression()).isEqualTo("QuestionnaireResponse.item[1].linkId");
			assertThat(i.diagnostics()).contains("the items here are work");
		});
	}

	private static Instrument codedQuestion(String valueSet) {
		Questionnaire q = new Questionnaire().setUrl("https://example.org/coded").setVersion("1").setName("Coded");
		q.addItem().setLinkId("gender").setText("Gender").setType(QuestionnaireItemType.CHOICE).setAnswerValueSet(valueSet);
		return InstrumentCompiler.compile(q);
	}

	private static QuestionnaireResponse answering(String system, String code) {
		QuestionnaireResponse r = new QuestionnaireResponse().setStatus(QuestionnaireResponseStatus.COMPLETED);
		r.addItem().setLinkId("gender").addAnswer().setValue(new Coding(system, code, null));
		return r;
	}

	@Test
	void aCodedAnswerMustBeInTheQuestionsValueSet() {
		Instrument instrument = codedQuestion("http://hl7.org/fhir/ValueSet/administrative-gender");
		assertThat(ResponseRules.check(answering("http://hl7.org/fhir/administrative-gender", "female"), instrument, VALUE_SETS)).isEmpty();
		assertThat(ResponseRules.check(answering("http://hl7.org/fhir/administrative-gender", "f"), instrument, VALUE_SETS)).singleElement()
				.satisfies(i -> {
					assertThat(i.isError()).isTrue();
					assertThat(i.expression()).isEqualTo("QuestionnaireResponse.item[0].answer[0].valueCoding");
					assertThat(i.diagnostics()).isEqualTo("Answer http://hl7.org/fhir/administrative-gender|f to item 'gender' (Gender)"
							+ " is not in its value set http://hl7.org/fhir/ValueSet/administrative-gender");
				});
	}

	@Test
	void anAnswerFromAValueSetThatCannotBeExpandedHereIsAcceptedWithAWarning() {
		// Defined by a SNOMED CT hierarchy, which the gateway does not hold.
		Instrument instrument = codedQuestion("http://hl7.org/fhir/ValueSet/clinical-findings");
		assertThat(ResponseRules.check(answering("http://snomed.info/sct", "404684003"), instrument, VALUE_SETS)).singleElement()
				.satisfies(i -> {
					assertThat(i.isError()).isFalse();
					assertThat(i.diagnostics()).contains("could not be checked against its value set http://hl7.org/fhir/ValueSet/clinical-findings");
				});
	}
}
