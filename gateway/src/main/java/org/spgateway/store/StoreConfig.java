package org.spgateway.store;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.fhirpath.IFhirPath;
import ca.uhn.fhir.fhirpath.IFhirPathEvaluationContext;
import ca.uhn.fhir.parser.DataFormatException;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.SearchParameter;
import org.spgateway.config.GatewayProperties;
import org.spgateway.conformance.ConformanceResources;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
public class StoreConfig {

	/**
	 * The FHIRPath engine used for indexing. Search parameter expressions such as
	 * {@code subject.where(resolve() is Patient)} only need the type of the target, which a relative
	 * reference already names, so resolve() answers with an empty resource of that type.
	 */
	@Bean
	IFhirPath indexingFhirPath(FhirContext fhirContext) {
		IFhirPath fhirPath = fhirContext.newFhirPath();
		fhirPath.setEvaluationContext(new IFhirPathEvaluationContext() {
			@Override
			public IBase resolveReference(IIdType reference, IBase context) {
				if (reference == null || !reference.hasResourceType()) {
					return null;
				}
				try {
					return fhirContext.getResourceDefinition(reference.getResourceType()).newInstance();
				} catch (DataFormatException e) {
					// A reference to a type FHIR does not have resolves to nothing; any other failure reaches the indexer, which reports it.
					return null;
				}
			}
		});
		return fhirPath;
	}

	/** Replaces Spring Boot's JdbcTemplate: statements run for a request are bounded by its time budget. */
	@Bean
	JdbcTemplate jdbcTemplate(DataSource dataSource) {
		return new BudgetedJdbcTemplate(dataSource);
	}

	/**
	 * Replaces Spring Boot's transaction manager (the same JdbcTransactionManager): the writes a transaction holds
	 * are sent as one statement just before it commits.
	 */
	@Bean
	HeldWritesTransactionManager transactionManager(DataSource dataSource, JdbcTemplate jdbcTemplate) {
		return new HeldWritesTransactionManager(dataSource, jdbcTemplate);
	}

	@Bean
	SearchParameterRegistry searchParameterRegistry(FhirContext fhirContext, IFhirPath indexingFhirPath, ConformanceResources conformance) {
		return new SearchParameterRegistry(fhirContext, indexingFhirPath, conformance.ofType(SearchParameter.class));
	}

	@Bean
	SearchIndexer searchIndexer(FhirContext fhirContext, IFhirPath indexingFhirPath, SearchParameterRegistry registry, MeterRegistry meters) {
		return new SearchIndexer(fhirContext, indexingFhirPath, registry, meters);
	}

	@Bean
	ResourceStore resourceStore(JdbcTemplate jdbcTemplate, HeldWritesTransactionManager transactionManager, FhirContext fhirContext,
			SearchIndexer indexer) {
		return new ResourceStore(jdbcTemplate, transactionManager, fhirContext, indexer);
	}

	@Bean
	SearchReindexer searchReindexer(JdbcTemplate jdbcTemplate, TransactionTemplate transactions, ResourceStore store,
			SearchParameterRegistry registry, FhirContext fhirContext, GatewayProperties properties) {
		return new SearchReindexer(jdbcTemplate, transactions, store, registry, fhirContext, properties.getSearch().getReindexBatchSize());
	}

	@Bean
	SearchIndexHealthIndicator searchIndexHealthIndicator(SearchReindexer reindexer, SearchIndexer indexer) {
		return new SearchIndexHealthIndicator(reindexer, indexer);
	}

	@Bean
	SearchRequestParser searchRequestParser(SearchParameterRegistry registry, GatewayProperties properties) {
		return new SearchRequestParser(registry, properties.getSearch());
	}
}
