package org.spgateway.audit;

import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.ResourceType;
import org.spgateway.store.DateRanges;

/**
 * An AuditEvent search as SQL over {@code audit_event}: each parameter a condition on the event's search keys
 * ({@link AuditSearchKeys}: the value's key hashed as the event's were) or on {@code recorded}, all of them ANDed, each parameter's comma-separated values ORed.
 * Refuses what it cannot answer (an unknown parameter, a modifier or prefix it does not support) in plain words.
 */
final class AuditSearch {

	enum Kind { TOKEN, REFERENCE, STRING, URI }

	/** R4's AuditEvent search parameters (all of them but date, which has its column). */
	static final Map<String, Kind> PARAMETERS = Map.ofEntries(Map.entry("type", Kind.TOKEN), Map.entry("subtype", Kind.TOKEN),
			Map.entry("action", Kind.TOKEN), Map.entry("outcome", Kind.TOKEN), Map.entry("agent-role", Kind.TOKEN),
			Map.entry("entity-type", Kind.TOKEN), Map.entry("entity-role", Kind.TOKEN), Map.entry("altid", Kind.TOKEN),
			Map.entry("site", Kind.TOKEN), Map.entry("agent", Kind.REFERENCE), Map.entry("entity", Kind.REFERENCE),
			Map.entry("patient", Kind.REFERENCE), Map.entry("source", Kind.REFERENCE), Map.entry("agent-name", Kind.STRING),
			Map.entry("entity-name", Kind.STRING), Map.entry("address", Kind.STRING), Map.entry("policy", Kind.URI));

	private static final List<String> RESOURCE_TYPES = Arrays.stream(ResourceType.values()).map(ResourceType::name).toList();

	private static final Set<String> META = Set.of(Constants.PARAM_TAG, Constants.PARAM_SECURITY, Constants.PARAM_PROFILE);

	/** Handled by HAPI or by paging, not conditions. */
	private static final Set<String> CONTROL = Set.of(Constants.PARAM_COUNT, Constants.PARAM_OFFSET, Constants.PARAM_SORT, "_total",
			Constants.PARAM_SUMMARY, Constants.PARAM_ELEMENTS, Constants.PARAM_FORMAT, Constants.PARAM_PRETTY);

	final String where;
	final List<Object> args;
	final String orderBy;
	final int offset;
	final int count;
	final boolean total;
	/** {@code _include} values ({@code AuditEvent:entity}, {@code AuditEvent:*}) and {@code _revinclude} values ({@code Provenance:target}). */
	final List<String> includes = new ArrayList<>();
	final List<String> revIncludes = new ArrayList<>();

	private AuditSearch(String where, List<Object> args, String orderBy, int offset, int count, boolean total) {
		this.where = where;
		this.args = args;
		this.orderBy = orderBy;
		this.offset = offset;
		this.count = count;
		this.total = total;
	}

	static AuditSearch parse(Map<String, String[]> parameters, int defaultCount, int maxCount) {
		List<String> conditions = new ArrayList<>();
		List<Object> args = new ArrayList<>();
		List<String> includes = new ArrayList<>();
		List<String> revIncludes = new ArrayList<>();
		for (Map.Entry<String, String[]> parameter : parameters.entrySet()) {
			String name = parameter.getKey();
			if (CONTROL.contains(name)) {
				continue;
			}
			if (name.startsWith(Constants.PARAM_INCLUDE) || name.startsWith(Constants.PARAM_REVINCLUDE)) {
				(name.startsWith(Constants.PARAM_REVINCLUDE) ? revIncludes : includes).addAll(List.of(parameter.getValue()));
				continue;
			}
			for (String value : parameter.getValue()) {
				condition(name, value, conditions, args);
			}
		}
		String where = conditions.isEmpty() ? "TRUE" : String.join(" AND ", conditions);
		int count = Math.min(number(parameters, Constants.PARAM_COUNT, defaultCount), maxCount);
		int offset = number(parameters, Constants.PARAM_OFFSET, 0);
		String summary = single(parameters, Constants.PARAM_SUMMARY);
		String totalMode = single(parameters, "_total");
		if (totalMode != null && !Set.of("none", "estimate", "accurate").contains(totalMode)) {
			throw new InvalidRequestException("_total must be none, estimate or accurate, not '" + totalMode + "'");
		}
		boolean total = "count".equals(summary) || "accurate".equals(totalMode) || "estimate".equals(totalMode);
		AuditSearch search = new AuditSearch(where, args, orderBy(single(parameters, Constants.PARAM_SORT)), offset, count, total);
		search.includes.addAll(includes);
		search.revIncludes.addAll(revIncludes);
		return search;
	}

	private static void condition(String name, String value, List<String> conditions, List<Object> args) {
		if (value == null || value.isEmpty()) {
			return;
		}
		if (name.equals("_id")) {
			conditions.add("event_id = ANY(?)");
			args.add(value.split(","));
			return;
		}
		if (META.contains(name.split(":")[0])) {
			// The gateway's events carry no tags, security labels or profiles in their meta: nothing matches.
			conditions.add("FALSE");
			return;
		}
		if (name.equals("date") || name.equals("_lastUpdated")) {
			date(name, value, conditions, args);
			return;
		}
		int colon = name.indexOf(':');
		String base = colon < 0 ? name : name.substring(0, colon);
		String modifier = colon < 0 ? null : name.substring(colon + 1);
		Kind kind = PARAMETERS.get(base);
		if (kind == null || base.contains(".")) {
			throw new InvalidRequestException("AuditEvent cannot be searched by '" + name + "'. It can be searched by _id, date and "
					+ String.join(", ", PARAMETERS.keySet().stream().sorted().toList()) + " (docs/security.md#searching)");
		}
		boolean identifier = "identifier".equals(modifier) && kind == Kind.REFERENCE;
		boolean exact = "exact".equals(modifier) && kind == Kind.STRING;
		if (modifier != null && !identifier && !exact) {
			throw new InvalidRequestException("The modifier :" + modifier + " is not supported on AuditEvent's " + base + " parameter");
		}
		String[] alternatives = value.split(",");
		if (kind == Kind.STRING && !exact) {
			// FHIR string search: the value's start, ignoring case.
			List<String> likes = new ArrayList<>();
			for (String alternative : alternatives) {
				likes.add(base + "=" + alternative.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
			}
			conditions.add("EXISTS (SELECT 1 FROM unnest(names) k WHERE k LIKE ANY(?))");
			args.add(likes.toArray(new String[0]));
			return;
		}
		String key = identifier ? base + ":identifier=" : exact ? base + ":exact=" : base + "=";
		List<Long> indexed = new ArrayList<>();
		List<Long> codes = new ArrayList<>();
		for (String alternative : alternatives) {
			List<String> values = kind == Kind.REFERENCE && !identifier ? references(base, alternative) : List.of(alternative);
			for (String v : values) {
				(AuditSearchKeys.isCode(key + v) ? codes : indexed).add(AuditSearchKeys.hash(key + v));
			}
		}
		List<String> either = new ArrayList<>();
		if (!indexed.isEmpty()) {
			either.add("key_hashes && ?::bigint[]");
			args.add(indexed.stream().mapToLong(Long::longValue).toArray());
		}
		if (!codes.isEmpty()) {
			either.add("code_hashes && ?::bigint[]");
			args.add(codes.stream().mapToLong(Long::longValue).toArray());
		}
		conditions.add(either.size() == 1 ? either.get(0) : "(" + String.join(" OR ", either) + ")");
	}

	/**
	 * The keys a reference value is stored under: {@code Patient/1} as it is, a bare id {@code 1} with each resource type
	 * (only Patient for the patient parameter), since events keep only typed references.
	 */
	private static List<String> references(String parameter, String value) {
		String reference = reference(value);
		if (reference.contains("/")) {
			return List.of(reference);
		}
		if (parameter.equals("patient")) {
			return List.of("Patient/" + reference);
		}
		return RESOURCE_TYPES.stream().map(type -> type + "/" + reference).toList();
	}

	/** {@code Patient/1}, {@code http://host/fhir/Patient/1} or {@code 1}: what the keys hold ({@code Patient/1}, {@code 1}). */
	private static String reference(String value) {
		if (!value.contains("://")) {
			return value;
		}
		String[] segments = value.split("/");
		int n = segments.length;
		boolean versioned = n >= 4 && "_history".equals(segments[n - 2]);
		int keep = versioned ? 4 : 2;
		return n < keep ? value : String.join("/", List.of(segments).subList(n - keep, n));
	}

	private static void date(String name, String raw, List<String> conditions, List<Object> args) {
		String prefix = raw.length() > 2 && Character.isLetter(raw.charAt(0)) && Character.isLetter(raw.charAt(1)) ? raw.substring(0, 2) : "eq";
		String value = raw.length() > 2 && Character.isLetter(raw.charAt(0)) ? raw.substring(2) : raw;
		Instant[] range;
		try {
			range = DateRanges.range(new DateTimeType(value));
		} catch (RuntimeException e) {
			throw new InvalidRequestException(name + " must be a date or date-time such as 2026-12-01 or ge2026-12-01T09:00:00Z, not '"
					+ raw + "'");
		}
		Timestamp low = Timestamp.from(range[0]);
		Timestamp high = Timestamp.from(range[1]);
		switch (prefix) {
			case "eq" -> {
				conditions.add("recorded >= ? AND recorded <= ?");
				args.add(low);
				args.add(high);
			}
			case "ge", "sa" -> {
				conditions.add(prefix.equals("ge") ? "recorded >= ?" : "recorded > ?");
				args.add(prefix.equals("ge") ? low : high);
			}
			case "gt" -> {
				conditions.add("recorded > ?");
				args.add(high);
			}
			case "le" -> {
				conditions.add("recorded <= ?");
				args.add(high);
			}
			case "lt", "eb" -> {
				conditions.add("recorded < ?");
				args.add(low);
			}
			case "ne" -> {
				conditions.add("(recorded < ? OR recorded > ?)");
				args.add(low);
				args.add(high);
			}
			default -> throw new InvalidRequestException("The prefix '" + prefix + "' is not supported on " + name
					+ " (use eq, ne, ge, gt, le, lt, sa or eb)");
		}
	}

	/** The chain's order by default; {@code date} / {@code _lastUpdated}, ascending or descending, when asked. */
	private static String orderBy(String sort) {
		if (sort == null || sort.isBlank()) {
			return "seq";
		}
		return switch (sort) {
			case "date", "_lastUpdated" -> "recorded, seq";
			case "-date", "-_lastUpdated" -> "recorded DESC, seq DESC";
			default -> throw new InvalidRequestException("AuditEvent searches can be sorted by date or -date only, not '" + sort + "'");
		};
	}

	private static int number(Map<String, String[]> parameters, String name, int defaultValue) {
		String raw = single(parameters, name);
		if (raw == null) {
			return defaultValue;
		}
		try {
			int n = Integer.parseInt(raw);
			if (n >= 0) {
				return n;
			}
		} catch (NumberFormatException e) {
			// Answered below in the caller's words.
		}
		throw new InvalidRequestException(name + " must be a whole number of 0 or more, not '" + raw + "'");
	}

	private static String single(Map<String, String[]> parameters, String name) {
		String[] values = parameters.get(name);
		return values == null || values.length == 0 ? null : values[0];
	}
}
