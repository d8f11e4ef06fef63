package org.spgateway.outcomes;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import java.util.List;
import org.hl7.fhir.r4.model.Questionnaire;
import org.spgateway.conformance.ConformanceException;
import org.spgateway.conformance.ConformanceResources;
import org.spgateway.resources.ResourceService;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.SearchRequestParser;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Outcome capture: Questionnaire-driven validation, scoring and Observation extraction of
 * QuestionnaireResponses, baselines and change ($outcomes), and review scheduling ($reviews-due).
 */
@Configuration(proxyBeanMethods = false)
public class OutcomesConfig {

	@Bean
	StoreLookup outcomesStoreLookup(ResourceStore store, SearchRequestParser parser) {
		return new StoreLookup(store, parser);
	}

	/** Every scored Questionnaire shipped in profiles/ must compile; a broken one stops start-up, naming its file. */
	@Bean
	InstrumentCatalog instrumentCatalog(FhirContext fhirContext, StoreLookup outcomesStoreLookup, OutcomesProperties properties,
			ConformanceResources conformance) {
		for (Questionnaire q : conformance.ofType(Questionnaire.class)) {
			List<Instrument.Problem> problems = InstrumentCompiler.compile(q).problems();
			if (!problems.isEmpty()) {
				throw new ConformanceException(conformance.sourceOf(q), "has scoring rules that do not hold together: "
						+ String.join("; ", problems.stream().map(Instrument.Problem::message).toList()));
			}
		}
		return new InstrumentCatalog(fhirContext, outcomesStoreLookup, properties.getCacheTimeToLive());
	}

	@Bean
	ReviewSchedule reviewSchedule(JdbcTemplate jdbc, StoreLookup outcomesStoreLookup, InstrumentCatalog instrumentCatalog,
			FhirContext fhirContext, OutcomesProperties properties) {
		return new ReviewSchedule(jdbc, outcomesStoreLookup, instrumentCatalog, fhirContext, properties);
	}

	@Bean
	SmartInitializingSingleton reviewScheduleDefaultInterval(ReviewSchedule reviewSchedule) {
		return reviewSchedule::applyDefaultInterval;
	}

	@Bean
	OutcomeCapture outcomeCapture(FhirContext fhirContext, ResourceService service, ResourceStore store, StoreLookup outcomesStoreLookup,
			InstrumentCatalog instrumentCatalog, ReviewSchedule reviewSchedule, IValidationSupport validationSupport, OutcomesProperties properties) {
		return new OutcomeCapture(fhirContext, service, store, outcomesStoreLookup, instrumentCatalog, reviewSchedule,
				new AnswerValueSets(validationSupport), properties);
	}

	@Bean
	QuestionnaireRules questionnaireRules(FhirContext fhirContext, ResourceService service, ResourceStore store,
			StoreLookup outcomesStoreLookup) {
		return new QuestionnaireRules(fhirContext, service, store, outcomesStoreLookup);
	}

	@Bean
	OutcomeSummary outcomeSummary(FhirContext fhirContext, StoreLookup outcomesStoreLookup, InstrumentCatalog instrumentCatalog,
			ReviewSchedule reviewSchedule, OutcomesProperties properties) {
		return new OutcomeSummary(fhirContext, outcomesStoreLookup, instrumentCatalog, reviewSchedule, properties);
	}

	@Bean
	OutcomesProvider outcomesProvider(OutcomeSummary outcomeSummary, ReviewSchedule reviewSchedule, OutcomesProperties properties) {
		return new OutcomesProvider(outcomeSummary, reviewSchedule, properties);
	}
}
