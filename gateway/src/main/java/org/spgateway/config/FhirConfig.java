package org.spgateway.config;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.ParserOptions;
import ca.uhn.fhir.parser.LenientErrorHandler;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one FhirContext (FHIR R4) the whole gateway shares: building one is expensive. */
@Configuration(proxyBeanMethods = false)
public class FhirConfig {

	@Bean
	FhirContext fhirContext() {
		return shared();
	}

	/**
	 * The shared context, configured as the gateway uses it; the same instance every time. Also called before the
	 * Spring context exists, by what starts reading the FHIR base definitions at once (validation.BaseDefinitions).
	 */
	public static FhirContext shared() {
		FhirContext context = FhirContext.forR4Cached();
		ParserOptions options = context.getParserOptions();
		// Keep references as the sender wrote them; the store decides what they point at.
		options.setStripVersionsFromReferences(false);
		options.setOverrideResourceIdWithBundleEntryFullUrl(false);
		// Never copy a referenced resource into another as a contained resource behind the caller's back.
		options.setAutoContainReferenceTargetsWithNoId(false);
		// HAPI parses every request body before a provider sees it. A value that breaks its datatype (a
		// code outside its enumeration, a malformed date) must not fail that parse with a bare 400: the
		// validator reads the body as sent and reports the value as a 422 issue naming its element.
		context.setParserErrorHandler(new LenientErrorHandler(false).setErrorOnInvalidValue(false));
		return context;
	}
}
