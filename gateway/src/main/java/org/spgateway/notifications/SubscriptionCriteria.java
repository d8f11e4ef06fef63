package org.spgateway.notifications;

import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.param.ParamPrefixEnum;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.util.StringUtil;
import ca.uhn.fhir.util.UrlUtil;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.spgateway.store.SearchValues;
import org.spgateway.store.IndexRows;
import org.spgateway.store.SearchIndexer;
import org.spgateway.store.SearchParamDef;
import org.spgateway.store.SearchParameterRegistry;
import org.spgateway.store.SearchRequest;
import org.spgateway.store.SearchRequestParser;
import org.spgateway.store.StoredResource;

/**
 * A Subscription's criteria ({@code Task?owner:identifier=...}), read with the same search parameter
 * registry and parser as a search, and evaluated in memory against the index rows of a changed
 * resource, never with a query. The tests here mirror the SQL the store builds for the same search
 * (store.SearchSql), value for value, so a resource is notified exactly when a search with the same
 * criteria would find it.
 */
public final class SubscriptionCriteria {

	/** Search result parameters that mean nothing for "which changes should be notified". */
	private static final Set<String> RESULT_PARAMETERS = Set.of(Constants.PARAM_COUNT, Constants.PARAM_OFFSET, Constants.PARAM_SORT,
			Constants.PARAM_INCLUDE, Constants.PARAM_REVINCLUDE, "_total", Constants.PARAM_SUMMARY, Constants.PARAM_ELEMENTS,
			Constants.PARAM_FORMAT, Constants.PARAM_PRETTY, "_contained", "_containedType");

	private final String text;
	private final String resourceType;
	private final List<ClauseTest> clauses;
	private final List<SearchParamDef> indexedParams;

	private SubscriptionCriteria(String text, String resourceType, List<ClauseTest> clauses, List<SearchParamDef> indexedParams) {
		this.text = text;
		this.resourceType = resourceType;
		this.clauses = clauses;
		this.indexedParams = indexedParams;
	}

	/** Why a criteria string cannot be evaluated, in words for the Subscription's author. */
	public static final class Invalid extends RuntimeException {
		Invalid(String message) {
			super(message);
		}
	}

	/**
	 * Reads a criteria string. {@code allowedTypes} are the resource types that can change through the
	 * API (a subscription on anything else would never fire).
	 */
	public static SubscriptionCriteria parse(String criteria, SearchParameterRegistry registry, SearchRequestParser parser,
			Set<String> allowedTypes) {
		if (criteria == null || criteria.isBlank()) {
			throw new Invalid("Subscription.criteria is empty; give a resource type and search parameters, e.g. "
					+ "Task?owner:identifier=https://fhir.nhs.uk/Id/ods-organization-code|X99901");
		}
		String c = criteria.trim();
		int q = c.indexOf('?');
		String type = q < 0 ? c : c.substring(0, q);
		String query = q < 0 ? "" : c.substring(q + 1);
		if (type.contains("/") || type.contains(":")) {
			throw new Invalid("Criteria '" + criteria + "' must be relative to this server: [type]?[search parameters], e.g. Task?status=accepted");
		}
		if (!allowedTypes.contains(type)) {
			throw new Invalid("'" + type + "' in criteria '" + criteria + "' is not a resource type that changes through this server."
					+ " Subscribe to one of: " + String.join(", ", new TreeSet<>(allowedTypes)));
		}
		Map<String, String[]> params = query.isEmpty() ? new LinkedHashMap<>() : UrlUtil.parseQueryString(query);
		for (String key : params.keySet()) {
			String name = key.contains(":") ? key.substring(0, key.indexOf(':')) : key;
			if (RESULT_PARAMETERS.contains(name)) {
				throw new Invalid("'" + key + "' in criteria '" + criteria + "' shapes search results and means nothing for notifications;"
						+ " use only search parameters of " + type);
			}
			if (registry.find(type, name) == null) {
				throw new Invalid("Unknown search parameter '" + name + "' in criteria '" + criteria + "'. " + type + " supports: "
						+ String.join(", ", new TreeSet<>(registry.forType(type).keySet())));
			}
		}
		SearchRequest request;
		try {
			request = parser.parse(type, params, false);
		} catch (BaseServerResponseException e) {
			throw new Invalid("Criteria '" + criteria + "': " + e.getMessage().replaceFirst("^HAPI-\\d+: ", ""));
		}
		List<ClauseTest> tests = new ArrayList<>();
		Map<String, SearchParamDef> indexed = new LinkedHashMap<>();
		for (SearchRequest.Clause clause : request.clauses()) {
			try {
				tests.add(compile(clause));
			} catch (Invalid e) {
				throw new Invalid("Criteria '" + criteria + "', parameter '" + clause.param().name() + "': " + e.getMessage());
			}
			if (clause.param().isIndexed()) {
				indexed.put(clause.param().name(), clause.param());
			}
		}
		return new SubscriptionCriteria(c, type, List.copyOf(tests), List.copyOf(indexed.values()));
	}

	public String text() {
		return text;
	}

	public String resourceType() {
		return resourceType;
	}

	/** The indexed parameters the criteria read: the only ones a changed resource needs evaluated. */
	public List<SearchParamDef> indexedParams() {
		return indexedParams;
	}

	/** Whether a stored version matches; {@code rows} must hold at least {@link #indexedParams()}. */
	public boolean matches(StoredResource stored, IndexRows rows) {
		if (!stored.type().equals(resourceType)) {
			return false;
		}
		for (ClauseTest clause : clauses) {
			if (!clause.test(stored, rows)) {
				return false;
			}
		}
		return true;
	}

	// ---------------------------------------------------------------- compiling clauses

	@FunctionalInterface
	private interface ClauseTest {
		boolean test(StoredResource stored, IndexRows rows);
	}

	private static ClauseTest compile(SearchRequest.Clause clause) {
		SearchParamDef p = clause.param();
		String modifier = clause.modifier();
		String name = p.name();
		if ("missing".equals(modifier)) {
			boolean missing = Boolean.parseBoolean(clause.values().get(0));
			return (stored, rows) -> hasRows(p, name, rows) != missing;
		}
		if ("res_id".equals(p.column())) {
			Set<String> ids = Set.copyOf(clause.values());
			boolean not = "not".equals(modifier);
			return (stored, rows) -> ids.contains(stored.id()) != not;
		}
		if (!p.isIndexed()) {
			// _lastUpdated: the version's own timestamp, as a range of one instant.
			List<DateTest> tests = clause.values().stream().map(SubscriptionCriteria::date).toList();
			return (stored, rows) -> tests.stream().anyMatch(t -> t.test(stored.lastUpdated(), stored.lastUpdated()));
		}
		boolean not = "not".equals(modifier);
		ClauseTest any = switch (p.type()) {
			case TOKEN -> anyRow(rows -> rows.tokens, IndexRows.Token::param, name, tests(clause, SubscriptionCriteria::token));
			case STRING -> anyRow(rows -> rows.strings, IndexRows.Str::param, name, tests(clause, v -> string(modifier, v)));
			case REFERENCE -> anyRow(rows -> rows.references, IndexRows.Ref::param, name, tests(clause, v -> reference(p, modifier, v)));
			case DATE -> anyRow(rows -> rows.dates, IndexRows.Date::param, name,
					tests(clause, v -> { DateTest t = date(v); return d -> t.test(d.low(), d.high()); }));
			case NUMBER -> anyRow(rows -> rows.numbers, IndexRows.Num::param, name,
					tests(clause, v -> { Predicate<BigDecimal> t = number(v); return n -> t.test(n.value()); }));
			case QUANTITY -> anyRow(rows -> rows.quantities, IndexRows.Quantity::param, name, tests(clause, SubscriptionCriteria::quantity));
			case URI -> anyRow(rows -> rows.uris, IndexRows.Uri::param, name, tests(clause, v -> uri(modifier, v)));
			default -> throw new Invalid("parameters of type " + p.type().getCode() + " cannot be used in criteria");
		};
		return not ? (stored, rows) -> !any.test(stored, rows) : any;
	}

	private static <T> List<Predicate<T>> tests(SearchRequest.Clause clause, Function<String, Predicate<T>> compile) {
		return clause.values().stream().map(compile).toList();
	}

	/** True when some row of the parameter passes some value's test (values are ORed, as in a search). */
	private static <T> ClauseTest anyRow(Function<IndexRows, List<T>> table, Function<T, String> param,
			String name, List<Predicate<T>> tests) {
		return (stored, rows) -> {
			for (T row : table.apply(rows)) {
				if (name.equals(param.apply(row))) {
					for (Predicate<T> t : tests) {
						if (t.test(row)) {
							return true;
						}
					}
				}
			}
			return false;
		};
	}

	private static boolean hasRows(SearchParamDef p, String name, IndexRows rows) {
		return switch (p.type()) {
			case TOKEN -> rows.tokens.stream().anyMatch(r -> name.equals(r.param()));
			case STRING -> rows.strings.stream().anyMatch(r -> name.equals(r.param()));
			case REFERENCE -> rows.references.stream().anyMatch(r -> name.equals(r.param()));
			case DATE -> rows.dates.stream().anyMatch(r -> name.equals(r.param()));
			case NUMBER -> rows.numbers.stream().anyMatch(r -> name.equals(r.param()));
			case QUANTITY -> rows.quantities.stream().anyMatch(r -> name.equals(r.param()));
			case URI -> rows.uris.stream().anyMatch(r -> name.equals(r.param()));
			default -> false;
		};
	}

	// ---------------------------------------------------------------- value tests (mirroring SearchSql)

	private static Predicate<IndexRows.Token> token(String value) {
		int bar = value.indexOf('|');
		if (bar < 0) {
			return t -> value.equals(t.code());
		}
		String system = value.substring(0, bar);
		String code = value.substring(bar + 1);
		if (bar == 0) {
			return t -> code.equals(t.code()) && t.system() == null;
		}
		if (bar == value.length() - 1) {
			return t -> system.equals(t.system());
		}
		return t -> code.equals(t.code()) && system.equals(t.system());
	}

	private static Predicate<IndexRows.Str> string(String modifier, String value) {
		if ("exact".equals(modifier)) {
			return s -> value.equals(s.exact());
		}
		String normalized = StringUtil.normalizeStringForSearchIndexing(value);
		String n = normalized.length() > SearchIndexer.MAX_STRING ? normalized.substring(0, SearchIndexer.MAX_STRING) : normalized;
		return "contains".equals(modifier) ? s -> s.normalized().contains(n) : s -> s.normalized().startsWith(n);
	}

	private static Predicate<IndexRows.Ref> reference(SearchParamDef p, String modifier, String value) {
		if ("identifier".equals(modifier)) {
			int bar = value.indexOf('|');
			if (bar < 0) {
				return r -> value.equals(r.identValue());
			}
			String system = value.substring(0, bar);
			String code = value.substring(bar + 1);
			if (bar == 0) {
				return r -> code.equals(r.identValue()) && r.identSystem() == null;
			}
			return r -> code.equals(r.identValue()) && system.equals(r.identSystem());
		}
		if (value.contains("://") || value.startsWith("urn:")) {
			if (value.contains("|")) {
				return r -> value.equals(r.targetUrl());
			}
			// A canonical without a version matches every version of it.
			return r -> r.targetUrl() != null && (r.targetUrl().equals(value) || r.targetUrl().startsWith(value + "|"));
		}
		SearchValues.ReferenceTarget target = SearchValues.reference(value, modifier, p);
		String id = target.id();
		String targetType = target.type();
		return r -> id.equals(r.targetId()) && (targetType == null || targetType.equals(r.targetType()));
	}

	private static Predicate<IndexRows.Quantity> quantity(String value) {
		String[] parts = value.split("\\|", -1);
		Predicate<BigDecimal> number = number(parts[0]);
		String system = parts.length > 1 && !parts[1].isEmpty() ? parts[1] : null;
		String code = parts.length > 2 && !parts[2].isEmpty() ? parts[2] : null;
		return q -> number.test(q.value()) && (system == null || system.equals(q.system())) && (code == null || code.equals(q.code()));
	}

	private static Predicate<IndexRows.Uri> uri(String modifier, String value) {
		return "below".equals(modifier) ? u -> u.value().startsWith(value) : u -> u.value().equals(value);
	}

	/** A search value read by SearchValues; one it cannot read makes the criteria invalid. */
	private static <T> T read(Supplier<T> reading) {
		try {
			return reading.get();
		} catch (IllegalArgumentException e) {
			throw new Invalid(e.getMessage());
		}
	}

	/** A date comparison over an indexed range [low, high]. */
	@FunctionalInterface
	private interface DateTest {
		boolean test(Instant low, Instant high);
	}

	private static DateTest date(String value) {
		SearchValues.DateValue d = read(() -> SearchValues.date(value));
		Instant pl = d.low();
		Instant ph = d.high();
		ParamPrefixEnum prefix = d.prefix();
		return switch (prefix) {
			case EQUAL -> (low, high) -> !low.isBefore(pl) && !high.isAfter(ph);
			case NOT_EQUAL -> (low, high) -> !(!low.isBefore(pl) && !high.isAfter(ph));
			case GREATERTHAN -> (low, high) -> high.isAfter(ph);
			case LESSTHAN -> (low, high) -> low.isBefore(pl);
			case GREATERTHAN_OR_EQUALS -> (low, high) -> !high.isBefore(pl);
			case LESSTHAN_OR_EQUALS -> (low, high) -> !low.isAfter(ph);
			case STARTS_AFTER -> (low, high) -> low.isAfter(ph);
			case ENDS_BEFORE -> (low, high) -> high.isBefore(pl);
			case APPROXIMATE -> (low, high) -> !low.isAfter(ph) && !high.isBefore(pl);
		};
	}

	private static Predicate<BigDecimal> number(String value) {
		SearchValues.NumberValue n = read(() -> SearchValues.number(value));
		ParamPrefixEnum prefix = n.prefix();
		BigDecimal number = n.number();
		BigDecimal lower = n.lower();
		BigDecimal upper = n.upper();
		return switch (prefix) {
			case EQUAL, APPROXIMATE -> v -> v.compareTo(lower) >= 0 && v.compareTo(upper) < 0;
			case NOT_EQUAL -> v -> !(v.compareTo(lower) >= 0 && v.compareTo(upper) < 0);
			case GREATERTHAN, STARTS_AFTER -> v -> v.compareTo(number) > 0;
			case LESSTHAN, ENDS_BEFORE -> v -> v.compareTo(number) < 0;
			case GREATERTHAN_OR_EQUALS -> v -> v.compareTo(number) >= 0;
			case LESSTHAN_OR_EQUALS -> v -> v.compareTo(number) <= 0;
		};
	}
}
