package org.spgateway.conformance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.ImplementationGuide;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.Resource;

/**
 * The conformance resources loaded from profiles/ and mappings/ at start-up: the single source for
 * validation, search parameters, the CapabilityStatement and the read-only conformance API.
 */
public class ConformanceResources {

	private final List<LoadedResource> resources;
	private final List<LoadedResource> examples;
	private final Map<String, String> requiredProfiles;

	public ConformanceResources(List<LoadedResource> loaded) {
		this(loaded, List.of());
	}

	public ConformanceResources(List<LoadedResource> loaded, List<LoadedResource> examples) {
		this.examples = List.copyOf(examples);
		Map<String, LoadedResource> byTypeAndId = new HashMap<>();
		Map<String, LoadedResource> byCanonical = new HashMap<>();
		for (LoadedResource r : loaded) {
			LoadedResource clash = byTypeAndId.putIfAbsent(r.type() + "/" + r.id(), r);
			if (clash != null) {
				throw new ConformanceException(r.source(), "reuses the id " + r.type() + "/" + r.id() + " already taken by " + clash.source());
			}
			if (r.resource() instanceof MetadataResource m && m.hasUrl()) {
				String key = r.type() + "|" + m.getUrl() + "|" + m.getVersion();
				clash = byCanonical.putIfAbsent(key, r);
				if (clash != null) {
					throw new ConformanceException(r.source(), "reuses canonical " + m.getUrl() + " version " + m.getVersion() + " already defined by " + clash.source());
				}
			}
		}
		this.resources = Collections.unmodifiableList(new ArrayList<>(loaded));
		this.requiredProfiles = Collections.unmodifiableMap(requiredProfiles(loaded));
	}

	public List<LoadedResource> all() {
		return resources;
	}

	/** Example instances shipped with the profiles: they must validate, and they warm the validator. */
	public List<LoadedResource> examples() {
		return examples;
	}

	public <T extends Resource> List<T> ofType(Class<T> type) {
		return resources.stream().map(LoadedResource::resource).filter(type::isInstance).map(type::cast).toList();
	}

	public Optional<LoadedResource> find(String type, String id) {
		return resources.stream().filter(r -> r.type().equals(type) && r.id().equals(id)).findFirst();
	}

	public String sourceOf(Resource resource) {
		return resources.stream().filter(r -> r.resource() == resource).map(LoadedResource::source).findFirst().orElse("(unknown file)");
	}

	/** Resource type to the profile every resource of that type must meet (ImplementationGuide.global). */
	public Map<String, String> requiredProfiles() {
		return requiredProfiles;
	}

	private static Map<String, String> requiredProfiles(List<LoadedResource> loaded) {
		Map<String, String> required = new LinkedHashMap<>();
		Map<String, String> declaredBy = new HashMap<>();
		for (LoadedResource r : loaded) {
			if (r.resource() instanceof ImplementationGuide ig) {
				for (ImplementationGuide.ImplementationGuideGlobalComponent global : ig.getGlobal()) {
					String previous = required.putIfAbsent(global.getType(), global.getProfile());
					if (previous != null && !previous.equals(global.getProfile())) {
						throw new ConformanceException(r.source(), "requires " + global.getProfile() + " for " + global.getType()
								+ " but " + declaredBy.get(global.getType()) + " already requires " + previous);
					}
					declaredBy.put(global.getType(), r.source());
				}
			}
		}
		return required;
	}

	/** Canonical URL, or null for resources that have none. */
	public static String canonicalOf(Resource resource) {
		return resource instanceof MetadataResource c && c.hasUrl() ? c.getUrl() : null;
	}
}
