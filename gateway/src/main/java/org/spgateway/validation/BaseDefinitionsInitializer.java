package org.spgateway.validation;

import ca.uhn.fhir.context.FhirContext;
import org.spgateway.config.FhirConfig;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts reading the FHIR base definitions ({@link BaseDefinitions}) before the context creates any bean, registers
 * them for {@link ValidationConfig} to wait for, and gives them to the shared FhirContext ({@link BaseDefinitionSupport}).
 * Listed in {@code META-INF/spring.factories}.
 */
public class BaseDefinitionsInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	static final String BEAN_NAME = "baseDefinitions";

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		FhirContext fhirContext = FhirConfig.shared();
		BaseDefinitions definitions = BaseDefinitions.loadInBackground(fhirContext);
		context.getBeanFactory().registerSingleton(BEAN_NAME, definitions);
		// Before any bean makes a FHIRPath engine: HAPI's default support would read the base definitions again, in R4.
		fhirContext.setValidationSupport(BaseDefinitionSupport.forFhirContext(definitions));
	}
}
