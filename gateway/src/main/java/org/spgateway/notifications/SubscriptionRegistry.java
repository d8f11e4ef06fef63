package org.spgateway.notifications;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.security.AccessScope;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.SearchParamDef;
import org.spgateway.store.StoredResource;
import org.spgateway.validation.ValidationIssue;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The stored Subscriptions of every instance, compiled and grouped by the resource type they watch, so
 * that a write of a type nobody subscribes to costs one map lookup. The instance that stores a
 * Subscription updates this at once (after commit); the others find the change by a cheap check of the
 * database every {@code gateway.notifications.subscription-refresh}.
 */
public class SubscriptionRegistry implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(SubscriptionRegistry.class);

	/** A stored version, and what it compiles to (null: not notifiable, e.g. off or unreadable). */
	private record Entry(int version, NotifiableSubscription subscription) {}

	/** An immutable view, swapped as a whole so that readers never lock. */
	private record View(Map<String, List<NotifiableSubscription>> byType, Map<String, List<SearchParamDef>> paramsByType, int live) {}

	private final JdbcTemplate jdbc;
	private final ResourceStore store;
	private final FhirContext fhirContext;
	private final SubscriptionRules rules;
	private final Map<String, Entry> entries = new HashMap<>();
	private final ScheduledExecutorService refresher;
	private volatile View view = new View(Map.of(), Map.of(), 0);
	private long fingerprint = -1;

	public SubscriptionRegistry(JdbcTemplate jdbc, ResourceStore store, FhirContext fhirContext, SubscriptionRules rules,
			java.time.Duration refreshEvery) {
		this.jdbc = jdbc;
		this.store = store;
		this.fhirContext = fhirContext;
		this.rules = rules;
		refresh();
		refresher = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread t = new Thread(r, "subscription-refresh");
			t.setDaemon(true);
			return t;
		});
		long every = Math.max(50, refreshEvery.toMillis());
		refresher.scheduleWithFixedDelay(this::refreshQuietly, every, every, TimeUnit.MILLISECONDS);
	}

	/** The subscriptions watching a type (live or not; check {@link NotifiableSubscription#live}). */
	public List<NotifiableSubscription> forType(String resourceType) {
		return view.byType().getOrDefault(resourceType, List.of());
	}

	/** The indexed parameters any subscription on the type reads. */
	public List<SearchParamDef> paramsFor(String resourceType) {
		return view.paramsByType().getOrDefault(resourceType, List.of());
	}

	/** How many subscriptions this instance matches changes against. */
	public int liveCount() {
		return view.live();
	}

	/** Records a Subscription version this instance has just committed; older versions never replace newer ones. */
	public synchronized void apply(String id, int version, NotifiableSubscription subscription) {
		Entry current = entries.get(id);
		if (current != null && current.version() >= version) {
			return;
		}
		entries.put(id, new Entry(version, subscription));
		rebuild();
	}

	/**
	 * Brings the registry up to date with the database. One aggregate query when nothing changed; when
	 * something did, the ids and versions, and the JSON of the changed ones only.
	 */
	public synchronized void refresh() {
		// Versions only grow and resources are never deleted, so (count, sum of versions) changes with every write.
		Long now = jdbc.queryForObject("SELECT count(*) * 1000003 + coalesce(sum(version), 0) FROM resource WHERE res_type = 'Subscription'",
				Long.class);
		if (now != null && now == fingerprint) {
			return;
		}
		List<String> changed = new ArrayList<>();
		jdbc.query("SELECT res_id, version FROM resource WHERE res_type = 'Subscription'", rs -> {
			Entry e = entries.get(rs.getString(1));
			if (e == null || e.version() < rs.getInt(2)) {
				changed.add(rs.getString(1));
			}
		});
		for (int i = 0; i < changed.size(); i += 500) {
			for (StoredResource stored : store.readAll("Subscription", changed.subList(i, Math.min(changed.size(), i + 500)), AccessScope.UNRESTRICTED)) {
				Entry e = entries.get(stored.id());
				if (e == null || e.version() < stored.version()) {
					entries.put(stored.id(), new Entry(stored.version(), compile(stored)));
				}
			}
		}
		fingerprint = now == null ? -1 : now;
		if (!changed.isEmpty()) {
			rebuild();
		}
	}

	@Override
	public void close() {
		refresher.shutdownNow();
	}

	private void refreshQuietly() {
		try {
			refresh();
		} catch (RuntimeException e) {
			log.warn("Could not refresh subscriptions from the database: {}", e.getMessage());
		}
	}

	private NotifiableSubscription compile(StoredResource stored) {
		Subscription subscription = fhirContext.newJsonParser().parseResource(Subscription.class, stored.json());
		if (subscription.getStatus() == Subscription.SubscriptionStatus.OFF) {
			return null;
		}
		List<ValidationIssue> issues = new ArrayList<>();
		NotifiableSubscription result = rules.read(subscription, stored.id(), stored.version(), issues);
		if (result == null) {
			// Accepted once, unreadable now (e.g. a search parameter was removed from profiles/): it cannot match anything.
			log.warn("Subscription/{} cannot be served and gets no notifications: {}", stored.id(),
					issues.stream().map(ValidationIssue::diagnostics).toList());
		}
		return result;
	}

	private void rebuild() {
		Map<String, List<NotifiableSubscription>> byType = new HashMap<>();
		Map<String, Map<String, SearchParamDef>> params = new HashMap<>();
		int live = 0;
		for (Entry e : entries.values()) {
			NotifiableSubscription s = e.subscription();
			if (s == null) {
				continue;
			}
			live++;
			String type = s.criteria().resourceType();
			byType.computeIfAbsent(type, k -> new ArrayList<>()).add(s);
			for (SearchParamDef p : s.criteria().indexedParams()) {
				params.computeIfAbsent(type, k -> new LinkedHashMap<>()).put(p.name(), p);
			}
		}
		Map<String, List<NotifiableSubscription>> frozenTypes = new HashMap<>();
		byType.forEach((k, v) -> frozenTypes.put(k, List.copyOf(v)));
		Map<String, List<SearchParamDef>> frozenParams = new HashMap<>();
		params.forEach((k, v) -> frozenParams.put(k, List.copyOf(v.values())));
		view = new View(Map.copyOf(frozenTypes), Map.copyOf(frozenParams), live);
	}
}
