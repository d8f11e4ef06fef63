package org.spgateway.transaction;

import ca.uhn.fhir.context.FhirContext;
import org.spgateway.resources.ResourcePatcher;
import org.spgateway.resources.ResourceService;
import org.spgateway.validation.ResourceValidator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
public class TransactionConfig {

	@Bean
	TransactionProcessor transactionProcessor(FhirContext fhirContext, ResourceService service, ResourcePatcher patcher,
			ResourceValidator validator, TransactionTemplate transactions) {
		return new TransactionProcessor(fhirContext, service, patcher, validator, transactions);
	}

	@Bean
	TransactionProvider transactionProvider(TransactionProcessor processor) {
		return new TransactionProvider(processor);
	}
}
