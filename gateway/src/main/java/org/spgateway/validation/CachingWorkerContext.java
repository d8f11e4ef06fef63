package org.spgateway.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.util.FhirTerser;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r5.model.Resource;
import org.hl7.fhir.r5.model.StructureDefinition;

/**
 * The validator's view of the conformance resources, remembering each lookup. The instance validator
 * asks for the same StructureDefinitions and ValueSets for every element of every resource, and each
 * ask otherwise costs a resource-type lookup, a trip down the support chain and a version parse: about
 * a tenth of the time to validate a referral. The conformance resources are fixed once loaded, so an
 * answer never goes stale; the cache is bounded because callers choose some of the URLs asked for
 * (meta.profile).
 *
 * <p>The list of every StructureDefinition (which each FHIRPath engine, so each pooled validator, asks for) is made
 * from the same lookups. HAPI's adapter makes it by converting every definition to R5 twice, once without its cache:
 * about 1 s of CPU at every start for 674 definitions whose R5 form is already kept ({@link BaseDefinitions}).
 */
class CachingWorkerContext extends WorkerContextValidationSupportAdapter {

	private final Cache<Key, Optional<Resource>> fetched = Caffeine.newBuilder().maximumSize(10_000).build();
	private final IValidationSupport validationSupport;
	private final ThreadLocal<Boolean> listing = ThreadLocal.withInitial(() -> false);
	private volatile List<StructureDefinition> all;
	private volatile Set<String> primitiveTypes;

	/** The base definitions' R5 forms, answered without a trip down the chain; null to ask the chain for everything. */
	private final BaseDefinitions baseDefinitions;

	CachingWorkerContext(IValidationSupport validationSupport) {
		this(validationSupport, null);
	}

	CachingWorkerContext(IValidationSupport validationSupport, BaseDefinitions baseDefinitions) {
		super(validationSupport);
		this.validationSupport = validationSupport;
		this.baseDefinitions = baseDefinitions;
	}

	private record Key(Class<?> type, String uri) {}

	@Override
	public <T extends Resource> T fetchResource(Class<T> type, String uri) {
		if (uri == null) {
			return null;
		}
		if (baseDefinitions != null && type == StructureDefinition.class) {
			// The object the chain would hand back too (BaseDefinitionSupport carries it), without converting or caching an R4 form there.
			StructureDefinition base = baseDefinitions.definitions().byUrl().get(uri);
			if (base != null) {
				return type.cast(base);
			}
		}
		Key key = new Key(type, uri);
		Optional<Resource> known = fetched.getIfPresent(key);
		if (known == null) {
			// Looked up outside the cache's own compute: a lookup may generate a snapshot, which looks up more.
			known = Optional.ofNullable(super.fetchResource(type, uri));
			fetched.put(key, known);
		}
		return type.cast(known.orElse(null));
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T extends Resource> List<T> fetchResourcesByType(Class<T> type) {
		if (type == StructureDefinition.class) {
			return (List<T>) allStructureDefinitions();
		}
		return super.fetchResourcesByType(type);
	}

	@Override
	public List<StructureDefinition> fetchTypeDefinitions(String typeName) {
		return allStructureDefinitions().stream().filter(sd -> sd.hasType() && sd.getType().equals(typeName)).collect(Collectors.toList());
	}

	@Override
	public boolean isPrimitiveType(String type) {
		Set<String> primitives = primitiveTypes;
		if (primitives == null) {
			primitives = allStructureDefinitions().stream()
					.filter(sd -> sd.getKind() == StructureDefinition.StructureDefinitionKind.PRIMITIVETYPE)
					.map(StructureDefinition::getName)
					.filter(name -> name != null)
					.collect(Collectors.toUnmodifiableSet());
			primitiveTypes = primitives;
		}
		return primitives.contains(type);
	}

	@Override
	public boolean isDataType(String type) {
		return !isPrimitiveType(type);
	}

	/**
	 * Every StructureDefinition the support chain holds, in its order, each in the R5 form HAPI keeps on it (made here if
	 * none was made yet). Nothing is looked up by URL: HAPI's chain adds a versioned definition to its list again when it
	 * is first looked up by its bare URL, and the mapping engine's list comes from that chain too. A definition that cannot
	 * be converted here (one without a snapshot) leaves the list to HAPI's own way.
	 */
	private List<StructureDefinition> allStructureDefinitions() {
		List<StructureDefinition> list = all;
		if (list != null) {
			return list;
		}
		if (listing.get()) {
			// Asked again while listing (a snapshot being generated): HAPI's adapter handles that case itself.
			return super.fetchResourcesByType(StructureDefinition.class);
		}
		listing.set(true);
		try {
			FhirTerser terser = validationSupport.getFhirContext().newTerser();
			OneDefinition one = new OneDefinition(validationSupport.getFhirContext());
			WorkerContextValidationSupportAdapter converter = new WorkerContextValidationSupportAdapter(one);
			list = new ArrayList<>();
			for (IBaseResource definition : validationSupport.fetchAllStructureDefinitions()) {
				String url = terser.getSinglePrimitiveValueOrNull(definition, "url");
				one.definition = definition;
				StructureDefinition canonical = url == null ? null : converter.fetchResource(StructureDefinition.class, url);
				if (canonical == null || !canonical.hasSnapshot()) {
					list = super.fetchResourcesByType(StructureDefinition.class);
					break;
				}
				list.add(canonical);
			}
		} catch (RuntimeException e) {
			list = super.fetchResourcesByType(StructureDefinition.class);
		} finally {
			listing.set(false);
		}
		list = List.copyOf(list);
		all = list;
		return list;
	}

	/**
	 * Hands HAPI's adapter one definition, so that it converts it (or finds the R5 form it kept on it) without a lookup
	 * in the chain.
	 */
	private static final class OneDefinition implements IValidationSupport {

		private final FhirContext fhirContext;
		private IBaseResource definition;

		OneDefinition(FhirContext fhirContext) {
			this.fhirContext = fhirContext;
		}

		@Override
		public FhirContext getFhirContext() {
			return fhirContext;
		}

		@Override
		public IBaseResource fetchStructureDefinition(String url) {
			return definition;
		}

		@Override
		@SuppressWarnings("unchecked")
		public <T extends IBaseResource> T fetchResource(Class<T> type, String uri) {
			return (T) definition;
		}
	}
}
