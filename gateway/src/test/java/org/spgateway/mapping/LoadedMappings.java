package org.spgateway.mapping;

import ca.uhn.fhir.context.support.IValidationSupport;
import java.util.List;
import org.hl7.fhir.r4.model.ConceptMap;
import org.spgateway.conformance.ConformanceResources;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.validation.GatewayValidator;

/** The shipped profiles and mappings, loaded, compiled and checked as the application does it, without Spring or a database. */
final class LoadedMappings {

	private static LoadedMappings shipped;

	final ConformanceResources conformance;
	final IValidationSupport support;
	final ConceptMapTranslator translator;
	final MapEngine engine;

	private LoadedMappings(List<String> additionalLocations) {
		GatewayValidator.Conformance loaded = GatewayValidator.conformance(GatewayServer.fhirContext(), additionalLocations);
		this.conformance = loaded.resources();
		this.support = loaded.support();
		this.translator = new ConceptMapTranslator(conformance.ofType(ConceptMap.class));
		this.engine = new MapEngine(GatewayServer.fhirContext(), loaded.support(), conformance, translator);
	}

	static synchronized LoadedMappings shipped() {
		if (shipped == null) {
			shipped = new LoadedMappings(List.of());
		}
		return shipped;
	}

	/** The shipped content plus test-only folders; fails as start-up would. */
	static LoadedMappings with(String... additionalLocations) {
		return new LoadedMappings(List.of(additionalLocations));
	}
}
