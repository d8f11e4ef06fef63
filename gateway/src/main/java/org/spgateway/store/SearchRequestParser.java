package org.spgateway.store;

import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.spgateway.config.GatewayProperties;

/**
 * Reads FHIR search parameters from a query string into a {@link SearchRequest}. Unknown parameters
 * and modifiers are a 400 that lists what the type does support (strict handling), unless the caller
 * sends {@code Prefer: handling=lenient}, in which case they are ignored as FHIR allows.
 */
public class SearchRequestParser {

	/** Result parameters handled here or by the HAPI server itself, never treated as filters. */
	private static final Set<String> CONTROL = Set.of(
			Constants.PARAM_COUNT, Constants.PARAM_OFFSET, Constants.PARAM_SORT, Constants.PARAM_INCLUDE,
			Constants.PARAM_INCLUDE + ":iterate", Constants.PARAM_INCLUDE + ":recurse", Constants.PARAM_REVINCLUDE,
			Constants.PARAM_REVINCLUDE + ":iterate", Constants.PARAM_REVINCLUDE + ":recurse", "_total",
			Constants.PARAM_SUMMARY, Constants.PARAM_ELEMENTS, Constants.PARAM_FORMAT, Constants.PARAM_PRETTY,
			"_elements:exclude", "_contained", "_containedType");

	private static final Map<RestSearchParameterTypeEnum, Set<String>> MODIFIERS = Map.of(
			RestSearchParameterTypeEnum.TOKEN, Set.of("missing", "not"),
			RestSearchParameterTypeEnum.STRING, Set.of("missing", "exact", "contains"),
			RestSearchParameterTypeEnum.REFERENCE, Set.of("missing", "identifier"),
			RestSearchParameterTypeEnum.DATE, Set.of("missing"),
			RestSearchParameterTypeEnum.NUMBER, Set.of("missing"),
			RestSearchParameterTypeEnum.QUANTITY, Set.of("missing"),
			RestSearchParameterTypeEnum.URI, Set.of("missing", "below"));

	private final SearchParameterRegistry registry;
	private final GatewayProperties.Search settings;

	public SearchRequestParser(SearchParameterRegistry registry, GatewayProperties.Search settings) {
		this.registry = registry;
		this.settings = settings;
	}

	public SearchRequest parse(String resourceType, Map<String, String[]> parameters, boolean lenient) {
		List<SearchRequest.Clause> clauses = new ArrayList<>();
		for (Map.Entry<String, String[]> entry : parameters.entrySet()) {
			String key = entry.getKey();
			for (String value : entry.getValue()) {
				// PostgreSQL cannot hold U+0000 in text: the query would fail with a 500. Criteria come from URLs, form bodies,
				// If-None-Exist and transaction entries alike, so this is the one place to refuse it.
				if (key.indexOf('\0') >= 0 || value != null && value.indexOf('\0') >= 0) {
					throw new InvalidRequestException("The search parameter " + key.replace('\0', '?') + " contains the NUL character (%00),"
							+ " which no search value may contain");
				}
			}
			if (CONTROL.contains(key)) {
				continue;
			}
			String name = key;
			String modifier = null;
			int colon = key.indexOf(':');
			if (colon > 0) {
				name = key.substring(0, colon);
				modifier = key.substring(colon + 1);
			}
			SearchParamDef param = registry.find(resourceType, name);
			if (param == null) {
				if (lenient) {
					continue;
				}
				throw new InvalidRequestException("Unknown search parameter '" + name + "' for " + resourceType
						+ ". Supported: " + String.join(", ", new TreeSet<>(registry.forType(resourceType).keySet())));
			}
			if (modifier != null && !modifierAllowed(param, modifier)) {
				if (lenient) {
					continue;
				}
				throw new InvalidRequestException("Modifier ':" + modifier + "' is not supported on " + param.type().getCode()
						+ " parameter '" + name + "'. Supported: " + String.join(", ", allowedModifiers(param)));
			}
			for (String raw : entry.getValue()) {
				List<String> values = splitOr(raw);
				if (values.isEmpty()) {
					continue;
				}
				clauses.add(new SearchRequest.Clause(param, modifier, values));
			}
		}
		return new SearchRequest(resourceType, clauses, sort(resourceType, parameters), offset(parameters), count(parameters),
				total(parameters), includes(resourceType, parameters, false), includes(resourceType, parameters, true));
	}

	private boolean modifierAllowed(SearchParamDef param, String modifier) {
		if (allowedModifiers(param).contains(modifier)) {
			return true;
		}
		// A type modifier on a reference: subject:Patient=123
		return param.type() == RestSearchParameterTypeEnum.REFERENCE && !modifier.isEmpty() && Character.isUpperCase(modifier.charAt(0))
				&& (param.targets().isEmpty() || param.targets().contains(modifier));
	}

	private static Set<String> allowedModifiers(SearchParamDef param) {
		if (!param.isIndexed()) {
			return "_id".equals(param.name()) ? Set.of("not") : Set.of();
		}
		return MODIFIERS.getOrDefault(param.type(), Set.of());
	}

	private List<SearchRequest.SortKey> sort(String resourceType, Map<String, String[]> parameters) {
		List<SearchRequest.SortKey> keys = new ArrayList<>();
		String[] sorts = parameters.get(Constants.PARAM_SORT);
		if (sorts == null) {
			return keys;
		}
		for (String raw : sorts) {
			for (String part : raw.split(",")) {
				String name = part.trim();
				if (name.isEmpty()) {
					continue;
				}
				boolean descending = name.startsWith("-");
				if (descending) {
					name = name.substring(1);
				}
				SearchParamDef param = registry.find(resourceType, name);
				if (param == null || param.type() == RestSearchParameterTypeEnum.REFERENCE) {
					throw new InvalidRequestException("Cannot sort " + resourceType + " by '" + name
							+ "'. Sort by _lastUpdated, _id, or a date, string, token, number or quantity parameter of " + resourceType + ".");
				}
				keys.add(new SearchRequest.SortKey(param, descending));
			}
		}
		return keys;
	}

	private int count(Map<String, String[]> parameters) {
		String raw = single(parameters, Constants.PARAM_COUNT);
		if (raw == null) {
			return settings.getDefaultPageSize();
		}
		int count = parseNonNegative(Constants.PARAM_COUNT, raw);
		return Math.min(count, settings.getMaxPageSize());
	}

	private static int offset(Map<String, String[]> parameters) {
		String raw = single(parameters, Constants.PARAM_OFFSET);
		return raw == null ? 0 : parseNonNegative(Constants.PARAM_OFFSET, raw);
	}

	private static SearchRequest.Total total(Map<String, String[]> parameters) {
		String raw = single(parameters, "_total");
		String summary = single(parameters, Constants.PARAM_SUMMARY);
		if ("count".equals(summary)) {
			return SearchRequest.Total.ACCURATE;
		}
		if (raw == null || raw.equals("none")) {
			return SearchRequest.Total.NONE;
		}
		if (raw.equals("accurate") || raw.equals("estimate")) {
			return SearchRequest.Total.ACCURATE;
		}
		throw new InvalidRequestException("_total must be none, estimate or accurate, not '" + raw + "'");
	}

	private List<SearchRequest.Include> includes(String resourceType, Map<String, String[]> parameters, boolean reverse) {
		String base = reverse ? Constants.PARAM_REVINCLUDE : Constants.PARAM_INCLUDE;
		List<SearchRequest.Include> result = new ArrayList<>();
		for (String key : List.of(base, base + ":iterate", base + ":recurse")) {
			String[] values = parameters.get(key);
			if (values == null) {
				continue;
			}
			for (String value : values) {
				result.add(include(resourceType, base, value, !key.equals(base), reverse));
			}
		}
		return result;
	}

	private SearchRequest.Include include(String resourceType, String base, String value, boolean iterate, boolean reverse) {
		String[] parts = value.split(":");
		if (parts.length < 2 || parts.length > 3) {
			throw new InvalidRequestException(base + " must look like SourceType:parameter[:TargetType], not '" + value + "'");
		}
		String source = parts[0];
		String name = parts[1];
		String target = parts.length == 3 ? parts[2] : null;
		if (!iterate && !reverse && !source.equals(resourceType)) {
			throw new InvalidRequestException(base + "=" + value + " does not start from " + resourceType + "; use " + base + ":iterate to follow included resources");
		}
		if (name.equals("*")) {
			return new SearchRequest.Include(source, null, target, iterate);
		}
		SearchParamDef param;
		try {
			param = registry.find(source, name);
		} catch (Exception e) {
			throw new InvalidRequestException(base + "=" + value + ": '" + source + "' is not a resource type");
		}
		if (param == null || param.type() != RestSearchParameterTypeEnum.REFERENCE) {
			throw new InvalidRequestException(base + "=" + value + ": '" + name + "' is not a reference search parameter of " + source);
		}
		return new SearchRequest.Include(source, name, target, iterate);
	}

	private static String single(Map<String, String[]> parameters, String name) {
		String[] values = parameters.get(name);
		return values == null || values.length == 0 ? null : values[values.length - 1];
	}

	private static int parseNonNegative(String name, String raw) {
		try {
			int value = Integer.parseInt(raw.trim());
			if (value < 0) {
				throw new NumberFormatException();
			}
			return value;
		} catch (NumberFormatException e) {
			throw new InvalidRequestException(name + " must be a whole number of zero or more, not '" + raw + "'");
		}
	}

	/** Splits on commas not escaped with a backslash, and removes the escapes. */
	static List<String> splitOr(String raw) {
		List<String> values = new ArrayList<>();
		StringBuilder current = new StringBuilder();
		for (int i = 0; i < raw.length(); i++) {
			char c = raw.charAt(i);
			if (c == '\\' && i + 1 < raw.length()) {
				current.append(raw.charAt(++i));
			} else if (c == ',') {
				values.add(current.toString());
				current.setLength(0);
			} else {
				current.append(c);
			}
		}
		values.add(current.toString());
		values.removeIf(String::isEmpty);
		return values;
	}
}
