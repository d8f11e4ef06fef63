package org.spgateway.store;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.fhirpath.IFhirPath;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import ca.uhn.fhir.util.StringUtil;
import java.math.BigDecimal;
import java.time.Instant;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Enumeration;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Money;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Range;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Timing;
import org.hl7.fhir.r4.model.UriType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a resource into its search index rows by evaluating each search parameter's FHIRPath
 * expression (parsed once, at registry build time). Runs inside the write, before the transaction
 * commits, so the index always describes exactly the stored current version.
 */
public class SearchIndexer {

	/** Longest normalised string kept in the index; search values are cut to the same length. */
	public static final int MAX_STRING = 200;

	private static final Logger log = LoggerFactory.getLogger(SearchIndexer.class);

	private final FhirContext fhirContext;
	private final IFhirPath fhirPath;
	private final SearchParameterRegistry registry;
	private final MeterRegistry meters;
	/** Failures per "Type.parameter" since start, for the searchIndex health component. */
	private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();

	public SearchIndexer(FhirContext fhirContext, IFhirPath fhirPath, SearchParameterRegistry registry, MeterRegistry meters) {
		this.fhirContext = fhirContext;
		this.fhirPath = fhirPath;
		this.registry = registry;
		this.meters = meters;
	}

	/** How often each parameter ("Type.parameter") could not be indexed since start; empty when every resource indexed fully. */
	public Map<String, Long> failures() {
		Map<String, Long> out = new TreeMap<>();
		failures.forEach((parameter, count) -> out.put(parameter, count.get()));
		return out;
	}

	public IndexRows index(IBaseResource resource) {
		return index(resource, registry.forType(fhirContext.getResourceType(resource)).values());
	}

	/**
	 * The index rows the store keeps for a resource: {@link #index(IBaseResource)} without the rows of a parameter that a
	 * narrower one of the same type holds as well ({@link SearchParamDef#narrower()}: a ServiceRequest's Patient as
	 * {@code patient}, not also as {@code subject}); searches on the broader parameter read both.
	 */
	public IndexRows storedRows(IBaseResource resource) {
		Map<String, SearchParamDef> params = registry.forType(fhirContext.getResourceType(resource));
		IndexRows rows = index(resource, params.values());
		for (SearchParamDef broad : params.values()) {
			if (!broad.narrower().isEmpty()) {
				Set<IndexRows.Ref> shared = new HashSet<>();
				for (IndexRows.Ref ref : rows.references) {
					if (broad.narrower().contains(ref.param())) {
						shared.add(new IndexRows.Ref(broad.name(), ref.targetType(), ref.targetId(), ref.targetUrl(), ref.identSystem(), ref.identValue()));
					}
				}
				rows.references.removeIf(shared::contains);
			}
		}
		return rows;
	}

	/** The {@code param} values of the index rows that hold a parameter's values ({@link SearchParamDef#rowParams()}). */
	String[] rowParams(String resourceType, String name) {
		SearchParamDef param = registry.find(resourceType, name);
		return param == null ? new String[] {name} : param.rowParams();
	}

	/** The names of a type's indexed reference parameters (the {@code param} of every reference row its resources have). */
	String[] referenceParams(String resourceType) {
		return registry.forType(resourceType).values().stream()
				.filter(p -> p.isIndexed() && p.type() == RestSearchParameterTypeEnum.REFERENCE)
				.map(SearchParamDef::name)
				.toArray(String[]::new);
	}

	/**
	 * The index rows of only some parameters of a resource: lets a caller that needs a few values (such as
	 * subscription matching) avoid evaluating every parameter of the type.
	 */
	public IndexRows index(IBaseResource resource, Collection<SearchParamDef> params) {
		IndexRows rows = new IndexRows();
		for (SearchParamDef param : params) {
			if (!param.isIndexed()) {
				continue;
			}
			List<IBase> values;
			try {
				values = fhirPath.evaluate(resource, param.parsed(), IBase.class);
			} catch (Exception e) {
				// The resource is still stored (refusing it would refuse valid FHIR over an index expression), but it cannot be
				// found by this parameter: say so in the log (without values), a metric and the searchIndex health component.
				indexFailed(fhirContext.getResourceType(resource), param.name(), e);
				continue;
			}
			for (IBase value : values) {
				add(rows, param, value);
			}
		}
		return rows;
	}

	private void indexFailed(String type, String parameter, Exception e) {
		String key = type + "." + parameter;
		long count = failures.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
		meters.counter("gateway.search.index.failures", "type", type, "parameter", parameter).increment();
		if (count == 1) {
			log.warn("Search parameter {} could not be indexed ({}); resources it fails on cannot be found by it. Further failures are"
					+ " counted in gateway_search_index_failures_total", key, e.getClass().getSimpleName());
		}
	}

	private void add(IndexRows rows, SearchParamDef param, IBase value) {
		String name = param.name();
		switch (param.type()) {
			case TOKEN -> token(rows, name, value);
			case STRING -> string(rows, name, value);
			case REFERENCE -> reference(rows, name, value);
			case DATE -> date(rows, name, value);
			case NUMBER -> number(rows, name, value);
			case QUANTITY -> quantity(rows, name, value);
			case URI -> {
				if (value instanceof PrimitiveType<?> p && p.hasValue()) {
					rows.uris.add(new IndexRows.Uri(name, p.getValueAsString()));
				}
			}
			default -> {}
		}
	}

	private static void token(IndexRows rows, String name, IBase value) {
		if (value instanceof Identifier id) {
			if (id.hasValue()) {
				rows.tokens.add(new IndexRows.Token(name, emptyToNull(id.getSystem()), id.getValue()));
			}
		} else if (value instanceof CodeableConcept cc) {
			for (Coding c : cc.getCoding()) {
				if (c.hasCode()) {
					rows.tokens.add(new IndexRows.Token(name, emptyToNull(c.getSystem()), c.getCode()));
				}
			}
		} else if (value instanceof Coding c) {
			if (c.hasCode()) {
				rows.tokens.add(new IndexRows.Token(name, emptyToNull(c.getSystem()), c.getCode()));
			}
		} else if (value instanceof ContactPoint cp) {
			if (cp.hasValue()) {
				rows.tokens.add(new IndexRows.Token(name, null, cp.getValue()));
			}
		} else if (value instanceof Enumeration<?> e) {
			if (e.hasValue()) {
				rows.tokens.add(new IndexRows.Token(name, emptyToNull(e.getSystem()), e.getCode()));
			}
		} else if (value instanceof BooleanType b) {
			if (b.hasValue()) {
				rows.tokens.add(new IndexRows.Token(name, null, b.getValueAsString()));
			}
		} else if (value instanceof PrimitiveType<?> p && p.hasValue()) {
			rows.tokens.add(new IndexRows.Token(name, null, p.getValueAsString()));
		}
	}

	private static void string(IndexRows rows, String name, IBase value) {
		if (value instanceof HumanName n) {
			addString(rows, name, n.getText());
			addString(rows, name, n.getFamily());
			n.getGiven().forEach(g -> addString(rows, name, g.getValue()));
			n.getPrefix().forEach(g -> addString(rows, name, g.getValue()));
			n.getSuffix().forEach(g -> addString(rows, name, g.getValue()));
		} else if (value instanceof Address a) {
			addString(rows, name, a.getText());
			a.getLine().forEach(l -> addString(rows, name, l.getValue()));
			addString(rows, name, a.getCity());
			addString(rows, name, a.getDistrict());
			addString(rows, name, a.getState());
			addString(rows, name, a.getPostalCode());
			addString(rows, name, a.getCountry());
		} else if (value instanceof PrimitiveType<?> p && p.hasValue()) {
			addString(rows, name, p.getValueAsString());
		}
	}

	private static void addString(IndexRows rows, String name, String value) {
		if (value == null || value.isBlank()) {
			return;
		}
		String normalized = StringUtil.normalizeStringForSearchIndexing(value);
		if (normalized.length() > MAX_STRING) {
			normalized = normalized.substring(0, MAX_STRING);
		}
		rows.strings.add(new IndexRows.Str(name, normalized, value));
	}

	private static void reference(IndexRows rows, String name, IBase value) {
		if (value instanceof Reference ref) {
			String type = null;
			String id = null;
			String url = null;
			String literal = ref.getReference();
			if (literal != null && !literal.startsWith("#")) {
				LocalReference local = LocalReference.parse(literal);
				if (local != null) {
					type = local.type();
					id = local.id();
				} else {
					url = literal;
				}
			}
			String identSystem = null;
			String identValue = null;
			if (ref.hasIdentifier() && ref.getIdentifier().hasValue()) {
				identSystem = emptyToNull(ref.getIdentifier().getSystem());
				identValue = ref.getIdentifier().getValue();
			}
			if (type == null && ref.hasType()) {
				type = ref.getType();
			}
			if (id != null || url != null || identValue != null) {
				rows.references.add(new IndexRows.Ref(name, type, id, url, identSystem, identValue));
			}
		} else if (value instanceof CanonicalType c && c.hasValue()) {
			rows.references.add(new IndexRows.Ref(name, null, null, c.getValue(), null, null));
		} else if (value instanceof UriType u && u.hasValue()) {
			rows.references.add(new IndexRows.Ref(name, null, null, u.getValue(), null, null));
		}
	}

	private static void date(IndexRows rows, String name, IBase value) {
		if (value instanceof BaseDateTimeType dt) {
			Instant[] range = DateRanges.range(dt);
			if (range != null) {
				rows.dates.add(new IndexRows.Date(name, range[0], range[1]));
			}
		} else if (value instanceof Period p) {
			Instant[] start = DateRanges.range(p.getStartElement());
			Instant[] end = DateRanges.range(p.getEndElement());
			if (start != null || end != null) {
				rows.dates.add(new IndexRows.Date(name, start == null ? DateRanges.FAR_PAST : start[0], end == null ? DateRanges.FAR_FUTURE : end[1]));
			}
		} else if (value instanceof Timing t) {
			Instant low = null;
			Instant high = null;
			for (var event : t.getEvent()) {
				Instant[] r = DateRanges.range(event);
				if (r != null) {
					low = low == null || r[0].isBefore(low) ? r[0] : low;
					high = high == null || r[1].isAfter(high) ? r[1] : high;
				}
			}
			if (low != null) {
				rows.dates.add(new IndexRows.Date(name, low, high));
			}
		}
	}

	private static void number(IndexRows rows, String name, IBase value) {
		if (value instanceof DecimalType d && d.hasValue()) {
			rows.numbers.add(new IndexRows.Num(name, d.getValue()));
		} else if (value instanceof IntegerType i && i.hasValue()) {
			rows.numbers.add(new IndexRows.Num(name, BigDecimal.valueOf(i.getValue())));
		}
	}

	private static void quantity(IndexRows rows, String name, IBase value) {
		if (value instanceof Money m && m.hasValue()) {
			rows.quantities.add(new IndexRows.Quantity(name, m.getValue(), "urn:iso:std:iso:4217", m.getCurrency()));
		} else if (value instanceof Quantity q && q.hasValue()) {
			rows.quantities.add(new IndexRows.Quantity(name, q.getValue(), emptyToNull(q.getSystem()), q.hasCode() ? q.getCode() : emptyToNull(q.getUnit())));
		} else if (value instanceof Range r) {
			quantity(rows, name, r.getLow());
			quantity(rows, name, r.getHigh());
		}
	}

	private static String emptyToNull(String s) {
		return s == null || s.isEmpty() ? null : s;
	}
}
