package org.spgateway.validation;

import ca.uhn.fhir.context.FhirContext;
import org.spgateway.config.GatewayProperties;
import org.spgateway.conformance.ConformanceResources;

/** The gateway's validator, built and warmed exactly as the application builds it, outside Spring (for the benchmark). */
public final class GatewayValidator {

	private GatewayValidator() {}

	public static ResourceValidator build(FhirContext fhirContext) {
		GatewayProperties properties = new GatewayProperties();
		ValidationConfig config = new ValidationConfig();
		ConformanceResources conformance = config.conformanceResources(fhirContext, properties);
		return config.resourceValidator(fhirContext, config.validationSupport(fhirContext, conformance), conformance, properties);
	}
}
