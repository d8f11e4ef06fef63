package org.spgateway.outcomes;

import ca.uhn.fhir.context.FhirContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.resources.ResourceChangeListener;
import org.spgateway.security.AccessScope;
import org.spgateway.store.StoredResource;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Finds the Questionnaire a response names, among every stored Questionnaire: the conformance ones from
 * profiles/ (read-only) and those created through the API alike.
 *
 * <p>{@code url|version} picks exactly that version, whatever its status. {@code url} alone picks the
 * <em>current</em> version: the highest {@link VersionOrder version} among those with status
 * {@code active}. Neither depends on the order in which versions were loaded or created.
 *
 * <p>Compiled instruments are cached per url. A Questionnaire written through this gateway clears the
 * cache at once (and again after its transaction commits, so a concurrent reader cannot put the old
 * state back). Writes made through another gateway instance on the same database are seen when a
 * version is not found in the cache (it is re-read before the gateway says it does not exist) and, for
 * {@code url} alone, after at most the cache's time to live.
 */
public class InstrumentCatalog implements ResourceChangeListener {

	private static final int MAX_VERSIONS = 1000;

	private final FhirContext fhirContext;
	private final StoreLookup lookup;
	private final long ttlNanos;
	private final Map<String, Versions> cache = new ConcurrentHashMap<>();

	private record Versions(List<Instrument> all, long loadedAt) {}

	/** The instrument a canonical reference names, or why there is none. */
	public record Resolution(Instrument instrument, String problem) {

		public boolean found() {
			return instrument != null;
		}
	}

	InstrumentCatalog(FhirContext fhirContext, StoreLookup lookup, Duration ttl) {
		this.fhirContext = fhirContext;
		this.lookup = lookup;
		this.ttlNanos = ttl.toNanos();
	}

	public Resolution resolve(String canonical) {
		if (canonical == null || canonical.isBlank()) {
			return new Resolution(null, "The response names no Questionnaire; set questionnaire to the Questionnaire's url|version");
		}
		if (canonical.startsWith("#")) {
			return new Resolution(null, "The response names a contained Questionnaire (" + canonical + "); name one this gateway holds,"
					+ " as url|version");
		}
		int bar = canonical.lastIndexOf('|');
		String url = bar < 0 ? canonical : canonical.substring(0, bar);
		String version = bar < 0 ? null : canonical.substring(bar + 1);
		Versions versions = cache.get(url);
		boolean fresh = versions == null || System.nanoTime() - versions.loadedAt() > ttlNanos;
		if (fresh) {
			versions = load(url);
		}
		Resolution resolution = pick(url, version, versions.all());
		if (!resolution.found() && !fresh) {
			// Perhaps created through another gateway instance since the cache was filled.
			resolution = pick(url, version, load(url).all());
		}
		return resolution;
	}

	private Versions load(String url) {
		List<Instrument> all = new ArrayList<>();
		for (StoredResource stored : lookup.find("Questionnaire", Map.of("url", url), MAX_VERSIONS, AccessScope.UNRESTRICTED)) {
			Questionnaire q = fhirContext.newJsonParser().parseResource(Questionnaire.class, stored.json());
			// The search matched the url index; compare exactly, as a canonical must.
			if (url.equals(q.getUrl())) {
				all.add(InstrumentCompiler.compile(q));
			}
		}
		Versions versions = new Versions(List.copyOf(all), System.nanoTime());
		cache.put(url, versions);
		return versions;
	}

	private static Resolution pick(String url, String version, List<Instrument> versions) {
		if (versions.isEmpty()) {
			return new Resolution(null, "This gateway has no Questionnaire with url " + url + " (GET /fhir/Questionnaire lists those it has)");
		}
		Instrument chosen;
		if (version != null) {
			List<Instrument> matches = versions.stream().filter(i -> version.equals(i.version())).toList();
			if (matches.isEmpty()) {
				return new Resolution(null, "This gateway has Questionnaire " + url + " in version" + (versions.size() > 1 ? "s " : " ")
						+ String.join(", ", versions.stream().map(i -> String.valueOf(i.version())).sorted(VersionOrder.INSTANCE).toList())
						+ " but not in version " + version);
			}
			if (matches.size() > 1) {
				return ambiguous(url, version, matches);
			}
			chosen = matches.get(0);
		} else {
			List<Instrument> active = versions.stream().filter(i -> i.status() == PublicationStatus.ACTIVE)
					.sorted(Comparator.comparing(Instrument::version, VersionOrder.INSTANCE).reversed()).toList();
			if (active.isEmpty()) {
				return new Resolution(null, "Questionnaire " + url + " has no active version, so there is no current version to use;"
						+ " name the version (url|version)");
			}
			chosen = active.get(0);
			String top = chosen.version();
			List<Instrument> tied = active.stream().filter(i -> VersionOrder.INSTANCE.compare(i.version(), top) == 0).toList();
			if (tied.size() > 1) {
				return ambiguous(url, top, tied);
			}
		}
		if (!chosen.isUsable()) {
			return new Resolution(null, "Questionnaire " + chosen.canonical() + " (Questionnaire/" + chosen.id() + ") cannot be used: "
					+ String.join("; ", chosen.problemMessages()));
		}
		return new Resolution(chosen, null);
	}

	private static Resolution ambiguous(String url, String version, List<Instrument> matches) {
		return new Resolution(null, "Version " + version + " of Questionnaire " + url + " is defined more than once ("
				+ String.join(", ", matches.stream().map(i -> "Questionnaire/" + i.id()).toList()) + "); it cannot tell which to use");
	}

	@Override
	public void onChange(StoredResource stored, Resource resource, StoredResource previous) {
		if (!"Questionnaire".equals(stored.type())) {
			return;
		}
		// Questionnaire writes are rare: forget everything rather than work out which urls changed.
		forget();
	}

	/** Forgets every cached instrument now and again when the current transaction ends. */
	public void forget() {
		cache.clear();
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCompletion(int status) {
					cache.clear();
				}
			});
		}
	}
}
