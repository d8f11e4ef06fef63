package org.spgateway.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import java.util.List;
import org.spgateway.config.GatewayProperties;
import org.spgateway.conformance.ConformanceResources;

/** The gateway's validator, built and warmed exactly as the application builds it, outside Spring (for the benchmark). */
public final class GatewayValidator {

	private GatewayValidator() {}

	public static ResourceValidator build(FhirContext fhirContext) {
		GatewayProperties properties = new GatewayProperties();
		ValidationConfig config = new ValidationConfig();
		ConformanceResources conformance = config.conformanceResources(fhirContext, properties);
		ValidatorWarmUp warmUp = config.validatorWarmUp(properties);
		BaseDefinitions baseDefinitions = BaseDefinitions.readOnDemand(fhirContext);
		IValidationSupport support = config.validationSupport(fhirContext, conformance, baseDefinitions);
		ResourceValidator validator = config.resourceValidator(fhirContext, support, baseDefinitions, conformance, properties, warmUp,
				ValidatorWarmUp.PassedChecks.NONE);
		// The application opens to callers only once the warm-up is over; so does this.
		warmUp.start();
		return validator;
	}

	/** The conformance resources and the validation support built on them, as the application builds them. */
	public record Conformance(ConformanceResources resources, IValidationSupport support) {}

	/** Loads the default locations plus {@code additionalLocations} and compiles them, outside Spring (for unit tests). */
	public static Conformance conformance(FhirContext fhirContext, List<String> additionalLocations) {
		GatewayProperties properties = new GatewayProperties();
		properties.getConformance().setAdditionalLocations(additionalLocations);
		ValidationConfig config = new ValidationConfig();
		ConformanceResources conformance = config.conformanceResources(fhirContext, properties);
		return new Conformance(conformance, config.validationSupport(fhirContext, conformance, BaseDefinitions.readOnDemand(fhirContext)));
	}
}
