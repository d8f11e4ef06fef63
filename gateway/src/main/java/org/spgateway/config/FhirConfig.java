package org.spgateway.config;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.ParserOptions;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one FhirContext (FHIR R4) the whole gateway shares: building one is expensive. */
@Configuration(proxyBeanMethods = false)
public class FhirConfig {

	@Bean
	FhirContext fhirContext() {
		FhirContext context = FhirContext.forR4Cached();
		ParserOptions options = context.getParserOptions();
		// Keep references as the sender wrote them; the store decides what they point at.
		options.setStripVersionsFromReferences(false);
		options.setOverrideResourceIdWithBundleEntryFullUrl(false);
		// Never copy a referenced resource into another as a contained resource behind the caller's back.
		options.setAutoContainReferenceTargetsWithNoId(false);
		return context;
	}
}
