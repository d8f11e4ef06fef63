package org.spgateway.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.utilities.http.ManagedWebAccess;
import org.spgateway.config.GatewayProperties;
import org.spgateway.conformance.ConformanceLoader;
import org.spgateway.conformance.ConformanceResources;
import org.spgateway.conformance.LoadedResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Loads profiles/ and mappings/, compiles the profiles, and builds the shared, warmed validator. A
 * broken conformance file stops start-up here, naming the file and the problem.
 */
@Configuration(proxyBeanMethods = false)
public class ValidationConfig {

	private static final Logger log = LoggerFactory.getLogger(ValidationConfig.class);

	@Bean
	ConformanceResources conformanceResources(FhirContext fhirContext, GatewayProperties properties) {
		List<String> locations = new ArrayList<>(properties.getConformance().getLocations());
		locations.addAll(properties.getConformance().getAdditionalLocations());
		ConformanceLoader loader = new ConformanceLoader(fhirContext);
		ConformanceResources resources = new ConformanceResources(loader.load(locations), loader.loadExamples(locations));
		log.info("Loaded {} conformance resources from {}", resources.all().size(), locations);
		return resources;
	}

	@Bean
	IValidationSupport validationSupport(FhirContext fhirContext, ConformanceResources conformance, BaseDefinitions baseDefinitions) {
		// Read since the process started; reading them here as well would parse them twice.
		baseDefinitions.await();
		// Validation uses what the gateway holds, never the internet: the validator library would otherwise fetch
		// packages (an ImplementationGuide's dependencies ...) from packages.fhir.org inside a request.
		ManagedWebAccess.setAccessPolicy(ManagedWebAccess.WebAccessPolicy.PROHIBITED);
		new ProfileCompiler(fhirContext).compile(conformance, () -> supportChain(fhirContext, conformance, baseDefinitions));
		// A fresh chain, so that nothing cached while compiling outlives it.
		return supportChain(fhirContext, conformance, baseDefinitions);
	}

	@Bean
	ResourceValidator resourceValidator(FhirContext fhirContext, IValidationSupport validationSupport, BaseDefinitions baseDefinitions,
			ConformanceResources conformance, GatewayProperties properties, ValidatorWarmUp warmUp, ValidatorWarmUp.PassedChecks passed) {
		long started = System.nanoTime();
		WorkerContextValidationSupportAdapter workerContext = new CachingWorkerContext(validationSupport, baseDefinitions);
		ResourceValidator validator = new ResourceValidator(fhirContext, workerContext, conformance.requiredProfiles(),
				properties.getValidation().getPoolSize());
		log.info("Validator ready in {} ms; checking the conformance resources and warming up beside the rest of start-up",
				(System.nanoTime() - started) / 1_000_000);
		// Every conformance resource must validate; a broken one stops start-up (ValidatorWarmUp names its file).
		List<LoadedResource> checks = Stream.concat(conformance.all().stream(), conformance.examples().stream()).toList();
		warmUp.begin(validator, checks, Stream.concat(conformance.examples().stream(), conformance.all().stream())
				.map(LoadedResource::resource).filter(r -> !(r instanceof StructureDefinition)).toList(),
				passed);
		return validator;
	}

	/** The conformance checks that passed at earlier starts of this build. */
	@Bean
	ValidatorWarmUp.PassedChecks passedConformanceChecks(JdbcTemplate jdbc, FhirContext fhirContext, ObjectProvider<BuildProperties> build) {
		return new StoredConformanceChecks(jdbc, fhirContext, build.getIfAvailable());
	}

	/** Checks the conformance resources, then validates them repeatedly until the validator is warm, beside start-up. */
	@Bean
	ValidatorWarmUp validatorWarmUp(GatewayProperties properties) {
		return new ValidatorWarmUp(properties.getValidation().getWarmUp(), ValidatorWarmUp.threadsFor(properties.getValidation().getPoolSize()));
	}

	static ValidationSupportChain supportChain(FhirContext fhirContext, ConformanceResources conformance, BaseDefinitions baseDefinitions) {
		PrePopulatedValidationSupport own = new PrePopulatedValidationSupport(fhirContext);
		for (LoadedResource loaded : conformance.all()) {
			switch (loaded.type()) {
				case "StructureDefinition" -> own.addStructureDefinition(loaded.resource());
				case "CodeSystem" -> own.addCodeSystem(loaded.resource());
				case "ValueSet" -> own.addValueSet(loaded.resource());
				default -> own.addResource(loaded.resource());
			}
		}
		UnknownCodeSystemWarningValidationSupport unknownCodeSystems = new UnknownCodeSystemWarningValidationSupport(fhirContext);
		// SNOMED CT and other large external code systems are not held here: a warning, not a rejection.
		unknownCodeSystems.setNonExistentCodeSystemSeverity(IValidationSupport.IssueSeverity.WARNING);
		return new ValidationSupportChain(
				// The base definitions first, as HAPI's DefaultProfileValidationSupport was: held once, in their R5 form.
				new BaseDefinitionSupport(baseDefinitions),
				own,
				new SnapshotGeneratingValidationSupport(fhirContext),
				new CommonCodeSystemsTerminologyService(fhirContext),
				new InMemoryTerminologyServerValidationSupport(fhirContext),
				unknownCodeSystems);
	}
}
