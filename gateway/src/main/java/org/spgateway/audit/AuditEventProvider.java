package org.spgateway.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Reference;
import org.spgateway.config.GatewayProperties;
import org.spgateway.fhir.Outcomes;
import org.spgateway.resources.ResourceService;
import org.spgateway.security.AccessScope;
import org.spgateway.security.RequestGate;
import org.spgateway.store.SearchRequest;
import org.spgateway.store.StoredResource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * AuditEvent's read, vread, instance history and search, served from {@code audit_event} (the audit trail's own
 * append-only table) rather than the resource store. Read-only like before: without create, update or patch
 * methods HAPI answers those 405 in the gateway's words. Who may read AuditEvents is the caller's
 * {@link AccessScope}, the same predicate the store applies to every other type, evaluated for the type alone
 * (events have no access rows): administrators and sandbox testers; anyone else finds none (404 on read).
 */
public class AuditEventProvider implements IResourceProvider {

	private final FhirContext fhirContext;
	private final JdbcTemplate jdbc;
	private final GatewayProperties.Search settings;
	private final ResourceService service;

	private static final Set<String> INCLUDABLE = Set.of("agent", "entity", "patient", "source");

	public AuditEventProvider(FhirContext fhirContext, JdbcTemplate jdbc, ResourceService service, GatewayProperties.Search settings) {
		this.fhirContext = fhirContext;
		this.jdbc = jdbc;
		this.service = service;
		this.settings = settings;
	}

	@Override
	public Class<? extends IBaseResource> getResourceType() {
		return AuditEvent.class;
	}

	@Read(version = true)
	public AuditEvent read(@IdParam IdType id, RequestDetails request) {
		if (!mayRead(request) || id.hasVersionIdPart() && !"1".equals(id.getVersionIdPart())) {
			throw notFound(id);
		}
		List<byte[]> found = jdbc.queryForList("SELECT content FROM audit_event WHERE event_id = ? AND content IS NOT NULL", byte[].class,
				id.getIdPart());
		if (found.isEmpty()) {
			throw notFound(id);
		}
		return parse(found.get(0));
	}

	/** An event never changes: its history is its one version. */
	@History
	public IBundleProvider history(@IdParam IdType id, RequestDetails request) {
		return AuditBundle.history(read(id.toUnqualifiedVersionless(), request));
	}

	@Search(allowUnknownParams = true)
	public IBundleProvider search(RequestDetails request) {
		AuditSearch search = AuditSearch.parse(request.getParameters(), settings.getDefaultPageSize(), settings.getMaxPageSize());
		if (!mayRead(request)) {
			return AuditBundle.page(List.of(), List.of(), search.offset, search.count, false, 0);
		}
		List<Object> args = new ArrayList<>(search.args);
		args.add(search.count + 1);
		args.add(search.offset);
		List<AuditEvent> events = new ArrayList<>();
		if (search.count > 0) {
			jdbc.query("SELECT content FROM audit_event WHERE content IS NOT NULL AND " + search.where + " ORDER BY " + search.orderBy
					+ " LIMIT ? OFFSET ?", rs -> {
						events.add(parse(rs.getBytes(1)));
					}, args.toArray());
		}
		boolean hasMore = events.size() > search.count;
		List<AuditEvent> page = hasMore ? events.subList(0, search.count) : events;
		Integer total = null;
		if (search.total || search.count == 0) {
			Integer n = jdbc.queryForObject("SELECT count(*) FROM audit_event WHERE content IS NOT NULL AND " + search.where, Integer.class,
					search.args.toArray());
			total = n == null ? 0 : n;
		} else if (!hasMore) {
			total = search.offset + page.size();
		}
		return AuditBundle.page(new ArrayList<>(page), included(page, search, request), search.offset, search.count, hasMore, total);
	}

	/**
	 * What {@code _include} and {@code _revinclude} add to a page: the resources its events name, and those naming its events, each
	 * read or searched through the resource store with the caller's scope, so an include shows nothing the caller could not read.
	 */
	private List<IBaseResource> included(List<AuditEvent> page, AuditSearch search, RequestDetails request) {
		if (page.isEmpty() || search.includes.isEmpty() && search.revIncludes.isEmpty()) {
			return List.of();
		}
		AccessScope scope = RequestGate.scopeOf(request);
		Map<String, IBaseResource> found = new LinkedHashMap<>();
		for (String include : search.includes) {
			String[] parts = include.split(":");
			if (parts.length < 2 || !"AuditEvent".equals(parts[0]) || !"*".equals(parts[1]) && !INCLUDABLE.contains(parts[1])) {
				throw Outcomes.invalid("_include=" + include + " is not supported: AuditEvent includes AuditEvent:agent, :entity, :patient,"
						+ " :source or :*", null);
			}
			String targetType = parts.length > 2 ? parts[2] : null;
			for (AuditEvent event : page) {
				for (String reference : references(event, parts[1])) {
					String[] ref = reference.split("/");
					// One entry per resource, as the store's includes give: the version an event names first, else the current one.
					if (ref.length < 2 || targetType != null && !targetType.equals(ref[0]) || found.containsKey(ref[0] + "/" + ref[1])) {
						continue;
					}
					try {
						StoredResource stored = ref.length >= 4 && "_history".equals(ref[2])
								? service.readVersion(ref[0], ref[1], Integer.parseInt(ref[3]), scope) : service.read(ref[0], ref[1], scope);
						found.put(stored.versionlessId(), service.toResource(stored));
					} catch (ResourceNotFoundException | NumberFormatException e) {
						// Gone, never there, or not the caller's to see: an include leaves it out, as a search would.
					}
				}
			}
		}
		String ids = String.join(",", page.stream().map(e -> "AuditEvent/" + e.getIdElement().getIdPart()).toList());
		for (String revInclude : search.revIncludes) {
			String[] parts = revInclude.split(":");
			if (parts.length < 2) {
				throw Outcomes.invalid("_revinclude must name a type and a search parameter, such as Provenance:target", null);
			}
			String parameter = parts.length > 2 ? parts[1] + ":" + parts[2] : parts[1];
			SearchRequest referring = service.parseSearch(parts[0], Map.of(parameter, new String[] {ids},
					"_count", new String[] {Integer.toString(settings.getMaxPageSize())}), false);
			for (StoredResource stored : service.search(referring, scope).matches()) {
				found.putIfAbsent(stored.versionlessId(), service.toResource(stored));
			}
		}
		return new ArrayList<>(found.values());
	}

	/** The literal references of an event in the elements an include names (agent.who, entity.what, their Patients, source.observer). */
	private static List<String> references(AuditEvent event, String parameter) {
		List<String> out = new ArrayList<>();
		boolean all = "*".equals(parameter);
		if (all || "agent".equals(parameter) || "patient".equals(parameter)) {
			event.getAgent().forEach(a -> add(out, a.getWho(), "patient".equals(parameter)));
		}
		if (all || "entity".equals(parameter) || "patient".equals(parameter)) {
			event.getEntity().forEach(e -> add(out, e.getWhat(), "patient".equals(parameter)));
		}
		if (all || "source".equals(parameter)) {
			add(out, event.getSource().getObserver(), false);
		}
		return out;
	}

	private static void add(List<String> out, Reference reference, boolean patientsOnly) {
		String ref = reference == null ? null : reference.getReference();
		if (ref != null && !ref.contains("://") && (!patientsOnly || ref.startsWith("Patient/"))) {
			out.add(ref);
		}
	}

	/** Whether the caller's scope reaches AuditEvents: its predicate, asked of the type with no access rows. */
	private boolean mayRead(RequestDetails request) {
		AccessScope.SqlPredicate predicate = RequestGate.scopeOf(request).predicate();
		if (predicate == null) {
			return true;
		}
		Boolean allowed = jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM (VALUES ('AuditEvent'::varchar, NULL::bigint)) AS r(res_type, res_pk)"
				+ " WHERE " + predicate.sql() + ")", Boolean.class, predicate.args().toArray());
		return Boolean.TRUE.equals(allowed);
	}

	private AuditEvent parse(byte[] content) {
		return fhirContext.newJsonParser().parseResource(AuditEvent.class, new String(content, StandardCharsets.UTF_8));
	}

	private static ResourceNotFoundException notFound(IdType id) {
		return new ResourceNotFoundException("AuditEvent/" + id.getIdPart() + " is not known");
	}
}
