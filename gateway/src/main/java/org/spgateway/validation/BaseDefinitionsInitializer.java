package org.spgateway.validation;

import org.spgateway.config.FhirConfig;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts reading the FHIR base definitions ({@link BaseDefinitions}) before the context creates any bean, and registers
 * them for {@link ValidationConfig} to wait for. Listed in {@code META-INF/spring.factories}.
 */
public class BaseDefinitionsInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	static final String BEAN_NAME = "baseDefinitions";

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		context.getBeanFactory().registerSingleton(BEAN_NAME, BaseDefinitions.loadInBackground(FhirConfig.shared()));
	}
}
