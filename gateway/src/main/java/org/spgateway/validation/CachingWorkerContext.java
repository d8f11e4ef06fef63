package org.spgateway.validation;

import ca.uhn.fhir.context.support.IValidationSupport;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Optional;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.r5.model.Resource;

/**
 * The validator's view of the conformance resources, remembering each lookup. The instance validator
 * asks for the same StructureDefinitions and ValueSets for every element of every resource, and each
 * ask otherwise costs a resource-type lookup, a trip down the support chain and a version parse: about
 * a tenth of the time to validate a referral. The conformance resources are fixed once loaded, so an
 * answer never goes stale; the cache is bounded because callers choose some of the URLs asked for
 * (meta.profile).
 */
class CachingWorkerContext extends WorkerContextValidationSupportAdapter {

	private final Cache<Key, Optional<Resource>> fetched = Caffeine.newBuilder().maximumSize(10_000).build();

	CachingWorkerContext(IValidationSupport validationSupport) {
		super(validationSupport);
	}

	private record Key(Class<?> type, String uri) {}

	@Override
	public <T extends Resource> T fetchResource(Class<T> type, String uri) {
		if (uri == null) {
			return null;
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
}
