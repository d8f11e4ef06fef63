package org.spgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.SearchParameter;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SearchIndexerTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	/** single() fails on a Patient with two names: an expression that cannot run on every resource. */
	private static SearchParameter onlyFamily() {
		SearchParameter sp = new SearchParameter();
		sp.setUrl("https://example.org/SearchParameter/only-family");
		sp.setCode("only-family");
		sp.addBase("Patient");
		sp.setType(Enumerations.SearchParamType.STRING);
		sp.setExpression("Patient.name.single().family");
		sp.setStatus(Enumerations.PublicationStatus.ACTIVE);
		return sp;
	}

	@Test
	void aParameterThatCannotBeIndexedIsLoggedCountedAndReportedWithoutValues() {
		var fhirPath = FHIR.newFhirPath();
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		SearchIndexer indexer = new SearchIndexer(FHIR, fhirPath, new SearchParameterRegistry(FHIR, fhirPath, List.of(onlyFamily())), meters);
		ListAppender<ILoggingEvent> log = new ListAppender<>();
		log.start();
		Logger logger = (Logger) LoggerFactory.getLogger(SearchIndexer.class);
		logger.addAppender(log);
		try {
			Patient twoNames = new Patient();
			twoNames.addName().setFamily("Quimby");
			twoNames.addName().setFamily("Featherstonehaugh");
			IndexRows rows = indexer.index(twoNames);
			indexer.index(twoNames);

			// The other parameters are still indexed.
			assertThat(rows.strings).extracting(IndexRows.Str::param).contains("family").doesNotContain("only-family");
			assertThat(indexer.failures()).containsEntry("Patient.only-family", 2L);
			assertThat(meters.counter("gateway.search.index.failures", "type", "Patient", "parameter", "only-family").count()).isEqualTo(2.0);
			assertThat(log.list).hasSize(1);
			assertThat(log.list.get(0).getFormattedMessage()).contains("Patient.only-family").doesNotContain("Quimby")
					.doesNotContain("Featherstonehaugh");
		} finally {
			logger.detachAppender(log);
		}
	}
}
