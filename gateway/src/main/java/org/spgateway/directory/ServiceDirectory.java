package org.spgateway.directory;

import ca.uhn.fhir.context.FhirContext;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ValueSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.conformance.ConformanceResources;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.resources.ResourceService;
import org.spgateway.security.AccessScope;
import org.spgateway.store.LocalReference;
import org.spgateway.store.SearchPage;
import org.spgateway.store.SearchRequest;
import org.spgateway.store.StoredResource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The service directory (Organizations and HealthcareServices) held in memory, so that routing and
 * eligibility on every referral cost no database round trip and no FHIR parsing. A directory write
 * through this instance replaces the snapshot as soon as it commits; writes through other instances
 * are noticed within {@code gateway.directory.refresh-interval}.
 */
public class ServiceDirectory {

	private static final Logger log = LoggerFactory.getLogger(ServiceDirectory.class);
	static final String SD = "https://spgateway.org/fhir/StructureDefinition/";
	static final String ELIGIBILITY = SD + "sp-eligibility";
	static final String COVERED_PRACTICE = SD + "sp-covered-practice";
	static final String TYPICAL_WAIT = SD + "sp-typical-wait";
	static final String RESPONSE_TIME = SD + "sp-response-time";
	static final String REFERRAL_ROUTE = SD + "sp-referral-route";
	private static final int PAGE = 500;
	/** How long a lookup waits for the reload after a change through this instance. */
	private static final Duration CHANGE_WAIT = Duration.ofSeconds(2);

	private final FhirContext fhirContext;
	private final ResourceService resources;
	private final ConformanceResources conformance;
	private final TransactionTemplate separateReadOnly;
	private final long refreshNanos;
	private final DirectoryChanges changes;
	private volatile Snapshot snapshot;
	private volatile long nextCheck;
	private final java.util.concurrent.locks.ReentrantLock reloadLock = new java.util.concurrent.locks.ReentrantLock();

	public ServiceDirectory(FhirContext fhirContext, ResourceService resources, ConformanceResources conformance,
			PlatformTransactionManager transactionManager, Duration refreshInterval, DirectoryChanges changes) {
		this.fhirContext = fhirContext;
		this.changes = changes;
		this.resources = resources;
		this.conformance = conformance;
		this.separateReadOnly = new TransactionTemplate(transactionManager);
		// Never read the directory through a caller's open transaction: it may hold writes that roll back.
		separateReadOnly.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		separateReadOnly.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
		separateReadOnly.setReadOnly(true);
		this.refreshNanos = refreshInterval.toNanos();
	}

	// ---------------------------------------------------------------- lookups

	public ServiceListing service(String id) {
		return current().services.get(id);
	}

	/** A service by one of its identifiers (any spelling of the NHS systems). */
	public ServiceListing serviceByIdentifier(String system, String value) {
		return current().servicesByIdentifier.get(key(system, value));
	}

	public List<ServiceListing> services() {
		return current().serviceList;
	}

	public List<ServiceListing> servicesProvidedBy(String organizationId) {
		return current().serviceList.stream().filter(s -> s.provider().id().equals(organizationId)).toList();
	}

	public DirectoryOrganization organization(String id) {
		return current().organizations.get(id);
	}

	public DirectoryOrganization organizationByIdentifier(String system, String value) {
		return current().organizationsByIdentifier.get(key(system, value));
	}

	/** The organisation a reference names, by literal id or identifier; null when it is not in the directory. */
	public DirectoryOrganization organization(Reference reference) {
		if (reference == null) {
			return null;
		}
		LocalReference local = LocalReference.parse(reference.getReference());
		if (local != null && local.type().equals("Organization")) {
			DirectoryOrganization found = organization(local.id());
			if (found != null) {
				return found;
			}
		}
		if (reference.hasIdentifier() && reference.getIdentifier().hasValue()) {
			return organizationByIdentifier(reference.getIdentifier().getSystem(), reference.getIdentifier().getValue());
		}
		return null;
	}

	// ---------------------------------------------------------------- change tracking

	/** Forgets the snapshot; the next lookup reloads it. */
	public void invalidate() {
		changes.changed();
	}

	/**
	 * The current snapshot. The thread that finds it out of date reloads it (so a client sees its own
	 * directory change on its next request). After a change through this instance, others wait a short
	 * while for that reload, so a referral sent just after a service was added is routed to it; a periodic
	 * check never makes anyone wait. The wait is bounded, since a waiting request may hold a database
	 * connection the reload itself needs: past it, the previous snapshot serves.
	 */
	private Snapshot current() {
		Snapshot s = snapshot;
		boolean changed = s == null || s.generation != changes.generation();
		boolean due = System.nanoTime() - nextCheck > 0;
		if (!changed && !due) {
			return s;
		}
		if (s == null) {
			reloadLock.lock();
		} else if (!(changed ? lockWithin(CHANGE_WAIT) : reloadLock.tryLock())) {
			return s;
		}
		try {
			return reload(!changed);
		} finally {
			reloadLock.unlock();
		}
	}

	private boolean lockWithin(Duration wait) {
		try {
			return reloadLock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/** Under reloadLock. {@code onlyIfChanged}: a periodic check, which reloads only when the stored directory changed. */
	private Snapshot reload(boolean onlyIfChanged) {
		long generation = changes.generation();
		Snapshot s = snapshot;
		if (s != null && s.generation == generation && (!onlyIfChanged || System.nanoTime() - nextCheck <= 0)) {
			return s;
		}
		Snapshot loaded = separateReadOnly.execute(tx -> {
			String stamp = stamp();
			if (s != null && s.generation == generation && stamp.equals(s.stamp)) {
				return s;
			}
			return build(stamp, generation);
		});
		nextCheck = System.nanoTime() + refreshNanos;
		if (loaded != s) {
			log.debug("Service directory loaded: {} organisations, {} services", loaded.organizations.size(), loaded.services.size());
		}
		snapshot = loaded;
		return loaded;
	}

	/** Changes whenever an Organization or HealthcareService is written (the store never deletes). */
	private String stamp() {
		StringBuilder stamp = new StringBuilder();
		for (String type : List.of("Organization", "HealthcareService")) {
			Map<String, String[]> params = new HashMap<>();
			params.put("_sort", new String[] {"-_lastUpdated"});
			params.put("_count", new String[] {"1"});
			SearchPage page = resources.search(resources.parseSearch(type, params, false), AccessScope.UNRESTRICTED);
			stamp.append(type).append(':').append(page.matches().isEmpty() ? "-" : page.matches().get(0).lastUpdated() + "/" + page.matches().get(0).version()).append(';');
		}
		return stamp.toString();
	}

	// ---------------------------------------------------------------- building

	private record Snapshot(String stamp, long generation, Map<String, DirectoryOrganization> organizations, Map<String, DirectoryOrganization> organizationsByIdentifier,
			Map<String, ServiceListing> services, Map<String, ServiceListing> servicesByIdentifier, List<ServiceListing> serviceList) {}

	private Snapshot build(String stamp, long generation) {
		Map<String, DirectoryOrganization> organizations = new HashMap<>();
		Map<String, DirectoryOrganization> organizationsByIdentifier = new HashMap<>();
		for (Resource r : loadAll("Organization")) {
			Organization o = (Organization) r;
			DirectoryOrganization org = organization(o);
			organizations.put(org.id(), org);
			for (Identifier i : org.identifiers()) {
				organizationsByIdentifier.putIfAbsent(key(i.getSystem(), i.getValue()), org);
			}
		}
		Map<String, ServiceListing> services = new HashMap<>();
		Map<String, ServiceListing> servicesByIdentifier = new HashMap<>();
		List<ServiceListing> serviceList = new ArrayList<>();
		for (Resource r : loadAll("HealthcareService")) {
			HealthcareService hs = (HealthcareService) r;
			try {
				ServiceListing listing = listing(hs, organizations, organizationsByIdentifier);
				services.put(listing.id(), listing);
				serviceList.add(listing);
				for (Identifier i : hs.getIdentifier()) {
					if (i.hasValue()) {
						servicesByIdentifier.putIfAbsent(key(i.getSystem(), i.getValue()), listing);
					}
				}
			} catch (DirectoryException e) {
				// Checked when written; a service that still cannot be read takes no referrals rather than break intake.
				log.error("HealthcareService/{} left out of the directory: {}", hs.getIdElement().getIdPart(), e.getMessage());
			}
		}
		serviceList.sort(java.util.Comparator.comparing(ServiceListing::name).thenComparing(ServiceListing::id));
		return new Snapshot(stamp, generation, organizations, organizationsByIdentifier, services, servicesByIdentifier, Collections.unmodifiableList(serviceList));
	}

	private List<Resource> loadAll(String type) {
		List<Resource> all = new ArrayList<>();
		for (int offset = 0;; offset += PAGE) {
			Map<String, String[]> params = new HashMap<>();
			params.put("_count", new String[] {Integer.toString(PAGE)});
			params.put("_offset", new String[] {Integer.toString(offset)});
			params.put("_sort", new String[] {"_id"});
			SearchRequest request = resources.parseSearch(type, params, false);
			SearchPage page = resources.search(request, AccessScope.UNRESTRICTED);
			for (StoredResource stored : page.matches()) {
				all.add(resources.toResource(stored));
			}
			if (!page.hasMore()) {
				return all;
			}
		}
	}

	DirectoryOrganization organization(Organization o) {
		List<Identifier> identifiers = new ArrayList<>();
		for (Identifier i : o.getIdentifier()) {
			if (i.hasValue()) {
				identifiers.add(NhsIdentifiers.normalize(i.copy()));
			}
		}
		List<Coding> kinds = new ArrayList<>();
		o.getType().forEach(t -> kinds.addAll(t.getCoding()));
		return new DirectoryOrganization(o.getIdElement().getIdPart(), NhsIdentifiers.valueOf(identifiers, NhsIdentifiers.ODS_ORGANIZATION), identifiers,
				o.hasName() ? o.getName() : "Organization/" + o.getIdElement().getIdPart(), kinds);
	}

	/** Reads a HealthcareService into a listing; a DirectoryException says, in words, what is wrong with it. */
	ServiceListing listing(HealthcareService hs, Map<String, DirectoryOrganization> organizations,
			Map<String, DirectoryOrganization> organizationsByIdentifier) {
		String id = hs.getIdElement().getIdPart();
		DirectoryOrganization provider = resolve(hs.getProvidedBy(), organizations, organizationsByIdentifier);
		if (provider == null) {
			throw new DirectoryException("HealthcareService.providedBy", "its provider " + describe(hs.getProvidedBy())
					+ " is not an Organization in the directory; add the Organization first");
		}
		Set<String> covered = new LinkedHashSet<>();
		for (Extension e : hs.getExtensionsByUrl(COVERED_PRACTICE)) {
			Reference practice = (Reference) e.getValue();
			DirectoryOrganization org = resolve(practice, organizations, organizationsByIdentifier);
			String ods = org != null ? org.ods() : null;
			if (ods == null && practice.hasIdentifier() && NhsIdentifiers.is(practice.getIdentifier().getSystem(), NhsIdentifiers.ODS_ORGANIZATION)) {
				ods = practice.getIdentifier().getValue();
			}
			if (ods == null) {
				throw new DirectoryException("HealthcareService.extension('" + COVERED_PRACTICE + "')", "covered practice " + describe(practice)
						+ " has no ODS code: give valueReference.identifier with system " + NhsIdentifiers.ODS_ORGANIZATION);
			}
			covered.add(ods.trim());
		}
		List<ServiceListing.Unavailability> notAvailable = new ArrayList<>();
		for (HealthcareService.HealthcareServiceNotAvailableComponent na : hs.getNotAvailable()) {
			Instant start = na.hasDuring() && na.getDuring().hasStart() ? na.getDuring().getStart().toInstant() : null;
			Instant end = na.hasDuring() && na.getDuring().hasEnd() ? na.getDuring().getEnd().toInstant() : null;
			if (start == null && end == null) {
				start = Instant.MIN;
			}
			notAvailable.add(new ServiceListing.Unavailability(na.getDescription(), start, end));
		}
		Identifier identifier = null;
		String dosId = null;
		for (Identifier i : hs.getIdentifier()) {
			if (i.hasValue() && NhsIdentifiers.is(i.getSystem(), NhsIdentifiers.DOS_SERVICE)) {
				dosId = i.getValue();
				identifier = new Identifier().setSystem(NhsIdentifiers.DOS_SERVICE).setValue(dosId);
			}
		}
		if (identifier == null && hs.hasIdentifier() && hs.getIdentifierFirstRep().hasValue()) {
			identifier = NhsIdentifiers.normalize(hs.getIdentifierFirstRep().copy());
		}
		List<Coding> accepted = new ArrayList<>();
		hs.getType().forEach(t -> accepted.addAll(t.getCoding()));
		Extension route = hs.getExtensionByUrl(REFERRAL_ROUTE);
		return new ServiceListing(id, dosId, identifier, hs.hasName() ? hs.getName() : "HealthcareService/" + id, provider,
				!hs.hasActive() || hs.getActive(), notAvailable, Collections.unmodifiableSet(covered), rules(hs),
				duration(hs.getExtensionByUrl(TYPICAL_WAIT)), duration(hs.getExtensionByUrl(RESPONSE_TIME)),
				route == null ? null : route.getValue().primitiveValue(), accepted, hs.getTelecom());
	}

	/** Checks a HealthcareService before it is stored: the same reading the directory will do. */
	public void check(HealthcareService hs) {
		Snapshot s = current();
		listing(hs, s.organizations, s.organizationsByIdentifier);
	}

	private EligibilityRules rules(HealthcareService hs) {
		Extension e = hs.getExtensionByUrl(ELIGIBILITY);
		if (e == null) {
			return EligibilityRules.NONE;
		}
		Integer min = intValue(e.getExtensionByUrl("minimumAge"));
		Integer max = intValue(e.getExtensionByUrl("maximumAge"));
		List<Coding> conditions = new ArrayList<>();
		for (Extension c : e.getExtensionsByUrl("condition")) {
			conditions.addAll(((org.hl7.fhir.r4.model.CodeableConcept) c.getValue()).getCoding());
		}
		String valueSet = null;
		Extension vs = e.getExtensionByUrl("conditionValueSet");
		if (vs != null) {
			valueSet = vs.getValue().primitiveValue();
			conditions.addAll(expand(valueSet));
		}
		Extension triage = e.getExtensionByUrl("manualTriage");
		boolean manual = triage != null && "true".equals(triage.getValue().primitiveValue());
		return new EligibilityRules(min, max, List.copyOf(conditions), valueSet, manual);
	}

	/** The codes of a ValueSet from profiles/: enumerated concepts, whole code systems from profiles/, included ValueSets. */
	List<Coding> expand(String url) {
		return expand(url, new java.util.HashSet<>());
	}

	private List<Coding> expand(String url, Set<String> seen) {
		String versionless = url.contains("|") ? url.substring(0, url.indexOf('|')) : url;
		if (!seen.add(versionless)) {
			return List.of();
		}
		ValueSet vs = conformance.ofType(ValueSet.class).stream().filter(v -> versionless.equals(v.getUrl())).findFirst()
				.orElseThrow(() -> new DirectoryException("HealthcareService.extension('" + ELIGIBILITY + "')",
						"its condition ValueSet " + url + " is not in the gateway's profiles/"));
		List<Coding> codes = new ArrayList<>();
		for (ValueSet.ConceptSetComponent include : vs.getCompose().getInclude()) {
			if (include.hasFilter()) {
				throw new DirectoryException("HealthcareService.extension('" + ELIGIBILITY + "')", "its condition ValueSet " + url
						+ " uses a filter; the gateway has no terminology server, so list the qualifying codes (compose.include.concept)");
			}
			for (var nested : include.getValueSet()) {
				codes.addAll(expand(nested.getValue(), seen));
			}
			if (include.hasConcept()) {
				include.getConcept().forEach(c -> codes.add(new Coding(include.getSystem(), c.getCode(), c.getDisplay())));
			} else if (include.hasSystem()) {
				CodeSystem cs = conformance.ofType(CodeSystem.class).stream().filter(c -> include.getSystem().equals(c.getUrl())).findFirst()
						.orElseThrow(() -> new DirectoryException("HealthcareService.extension('" + ELIGIBILITY + "')", "its condition ValueSet " + url
								+ " includes all of " + include.getSystem() + ", which is not in the gateway's profiles/; list the codes instead"));
				addAll(cs.getConcept(), cs.getUrl(), codes);
			}
		}
		for (ValueSet.ConceptSetComponent exclude : vs.getCompose().getExclude()) {
			for (var c : exclude.getConcept()) {
				codes.removeIf(x -> c.getCode().equals(x.getCode()) && java.util.Objects.equals(exclude.getSystem(), x.getSystem()));
			}
		}
		return codes;
	}

	private static void addAll(List<CodeSystem.ConceptDefinitionComponent> concepts, String system, List<Coding> into) {
		for (CodeSystem.ConceptDefinitionComponent c : concepts) {
			into.add(new Coding(system, c.getCode(), c.getDisplay()));
			addAll(c.getConcept(), system, into);
		}
	}

	private static DirectoryOrganization resolve(Reference ref, Map<String, DirectoryOrganization> byId, Map<String, DirectoryOrganization> byIdentifier) {
		if (ref == null || ref.isEmpty()) {
			return null;
		}
		LocalReference local = LocalReference.parse(ref.getReference());
		if (local != null && local.type().equals("Organization") && byId.containsKey(local.id())) {
			return byId.get(local.id());
		}
		if (ref.hasIdentifier() && ref.getIdentifier().hasValue()) {
			return byIdentifier.get(key(ref.getIdentifier().getSystem(), ref.getIdentifier().getValue()));
		}
		return null;
	}

	private static String describe(Reference ref) {
		if (ref == null || ref.isEmpty()) {
			return "(none)";
		}
		if (ref.hasReference()) {
			return ref.getReference();
		}
		if (ref.hasIdentifier()) {
			return ref.getIdentifier().getSystem() + "|" + ref.getIdentifier().getValue();
		}
		return ref.getDisplay();
	}

	private static Integer intValue(Extension e) {
		return e == null || e.getValue() == null ? null : Integer.valueOf(e.getValue().primitiveValue());
	}

	/** A UCUM time quantity as a Duration (months as 30 days, years as 365). */
	static Duration duration(Extension e) {
		if (e == null || !(e.getValue() instanceof Quantity q) || !q.hasValue()) {
			return null;
		}
		double value = q.getValue().doubleValue();
		double seconds = switch (q.hasCode() ? q.getCode() : "d") {
			case "min" -> 60;
			case "h" -> 3600;
			case "wk" -> 7 * 86400;
			case "mo" -> 30 * 86400;
			case "a" -> 365 * 86400;
			default -> 86400;
		};
		return Duration.ofSeconds(Math.round(value * seconds));
	}

	static String key(String system, String value) {
		return NhsIdentifiers.canonicalSystem(system) + "|" + (value == null ? "" : value.trim());
	}

	/** A directory resource the gateway cannot use, with the element at fault. */
	public static class DirectoryException extends RuntimeException {

		private final String expression;

		public DirectoryException(String expression, String message) {
			super(message);
			this.expression = expression;
		}

		public String expression() {
			return expression;
		}
	}
}
