package org.spgateway.resources;

import ca.uhn.fhir.context.FhirContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import java.util.Set;
import org.spgateway.config.GatewayProperties;
import org.spgateway.server.ServedResourceTypes;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.SearchRequestParser;
import org.spgateway.validation.ResourceValidator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
public class ResourcesConfig {

	@Bean
	TransactionTemplate transactionTemplate(PlatformTransactionManager transactionManager) {
		return new TransactionTemplate(transactionManager);
	}

	@Bean
	ResourceService resourceService(FhirContext fhirContext, ResourceValidator validator, ResourceStore store, SearchRequestParser parser,
			TransactionTemplate transactions, ObjectProvider<ResourceChangeListener> listeners, GatewayProperties properties) {
		return new ResourceService(fhirContext, validator, store, parser, transactions, listeners.orderedStream().toList(), ServedResourceTypes.readOnly(),
				Set.copyOf(ServedResourceTypes.RECORDED),
				properties.getSearch().getMaxIncludes(), properties.getSearch().getMaxIncludeIterations());
	}

	/**
	 * Hands each type's writes to the capability that owns them (intake, outcome capture ...), once
	 * every bean exists and before the server takes requests. Handlers depend on ResourceService, so
	 * they cannot be constructor arguments of it.
	 */
	@Bean
	SmartInitializingSingleton resourceWriteHandlerRegistration(ResourceService service, ObjectProvider<ResourceWriteHandler> handlers) {
		return () -> handlers.orderedStream().forEach(service::registerHandler);
	}

	@Bean
	ResourcePatcher resourcePatcher(FhirContext fhirContext) {
		return new ResourcePatcher(fhirContext);
	}
}
