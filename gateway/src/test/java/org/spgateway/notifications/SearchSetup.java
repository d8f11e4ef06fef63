package org.spgateway.notifications;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.fhirpath.IFhirPath;
import ca.uhn.fhir.fhirpath.IFhirPathEvaluationContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IIdType;
import org.spgateway.config.GatewayProperties;
import org.spgateway.server.ServedResourceTypes;
import org.spgateway.store.SearchIndexer;
import org.spgateway.store.SearchParameterRegistry;
import org.spgateway.store.SearchRequestParser;

/** The store's search machinery without a database or Spring, for unit tests of criteria and rules. */
final class SearchSetup {

	static final FhirContext FHIR = FhirContext.forR4Cached();
	static final IFhirPath FHIR_PATH = fhirPath();
	static final SearchParameterRegistry REGISTRY = new SearchParameterRegistry(FHIR, FHIR_PATH, List.of());
	static final SearchRequestParser PARSER = new SearchRequestParser(REGISTRY, new GatewayProperties.Search());
	static final SearchIndexer INDEXER = new SearchIndexer(FHIR, FHIR_PATH, REGISTRY, new SimpleMeterRegistry());
	static final Set<String> TYPES = Set.copyOf(ServedResourceTypes.WRITABLE);

	private SearchSetup() {}

	/** As the gateway's indexing engine: resolve() answers an empty resource of the referenced type. */
	private static IFhirPath fhirPath() {
		IFhirPath fhirPath = FHIR.newFhirPath();
		fhirPath.setEvaluationContext(new IFhirPathEvaluationContext() {
			@Override
			public IBase resolveReference(IIdType reference, IBase context) {
				return reference != null && reference.hasResourceType() ? FHIR.getResourceDefinition(reference.getResourceType()).newInstance() : null;
			}
		});
		return fhirPath;
	}
}
