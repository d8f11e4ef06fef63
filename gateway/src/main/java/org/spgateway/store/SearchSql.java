package org.spgateway.store;

import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import ca.uhn.fhir.rest.param.ParamPrefixEnum;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.security.AccessScope;

/**
 * Builds the SQL of a search from a {@link SearchRequest}: one semi-join per clause into the index
 * table of the parameter's type, plus the caller's access predicate. Only index tables are read;
 * stored JSON is never parsed to decide a match.
 */
final class SearchSql {

	/** The FROM of a search over the head table. */
	static final String FROM = "resource r";
	/**
	 * The FROM of a page walked in a head-row order ({@link #walksHeadOrder}): the same rows, with each row's key also
	 * under a name of its own ({@code k.pk}) for the access check to find its row by.
	 */
	static final String FROM_WALKED = "resource r CROSS JOIN LATERAL (SELECT r.res_pk AS pk) k";

	final StringBuilder where = new StringBuilder();
	final List<Object> args = new ArrayList<>();
	/** Clauses as {@code EXISTS} probes of the row at hand rather than semi-joins (a {@link #walk}'s check of one row). */
	private boolean correlated;

	private SearchSql() {}

	/** The WHERE clause (over resource alias {@code r}, from {@link #FROM}) for a request and scope. */
	static SearchSql where(SearchRequest request, AccessScope scope) {
		return where(request, scope, false);
	}

	/**
	 * The WHERE clause for a request and scope; {@code perRow}: the access predicate checked row by row as the page is
	 * walked (the query's FROM must be {@link #FROM_WALKED}).
	 *
	 * <p>Why: a partner's predicate is an {@code OR} with an {@code EXISTS} on {@code resource_access}, and PostgreSQL
	 * chooses between probing that table per row and hashing every row it has for the partner's organisations from the
	 * rows it expects the scan to produce, not knowing that a LIMIT ends an ordered walk after a page. For the provider's
	 * work queue at 25,000 Tasks (75,000 access rows for its ODS code) it hashed them all on every request: 108 ms, against
	 * 3 ms probing the 21 rows of the page. Checked in a sub-select that reads one row, the choice is made for one row.
	 */
	static SearchSql where(SearchRequest request, AccessScope scope, boolean perRow) {
		return where(request, scope, perRow, false);
	}

	private static SearchSql where(SearchRequest request, AccessScope scope, boolean perRow, boolean correlated) {
		SearchSql sql = new SearchSql();
		sql.correlated = correlated;
		sql.where.append("r.res_type = ?");
		sql.args.add(request.resourceType());
		for (SearchRequest.Clause clause : request.clauses()) {
			sql.where.append(" AND ");
			sql.clause(clause);
		}
		if (perRow) {
			sql.accessPerRow(scope);
		} else {
			sql.access(scope);
		}
		return sql;
	}

	/**
	 * The clause a page can be walked from, or whose rows are counted to choose a head-order walk: one that matches by its own index
	 * rows (not {@code :missing}, not {@code :not}), preferring one whose rows come out of their index in {@code res_pk} order (a
	 * reference by one identifier with its system, V110), so that a walk in the default order stops at the page; null when there is none.
	 */
	static SearchRequest.Clause walkable(SearchRequest request) {
		List<SearchRequest.Clause> candidates = request.clauses().stream()
				.filter(c -> c.param().isIndexed() && !"missing".equals(c.modifier()) && !"not".equals(c.modifier())).toList();
		return candidates.stream().filter(SearchSql::inKeyOrder).findFirst().orElse(candidates.isEmpty() ? null : candidates.get(0));
	}

	private static boolean inKeyOrder(SearchRequest.Clause clause) {
		return clause.param().type() == RestSearchParameterTypeEnum.REFERENCE && "identifier".equals(clause.modifier())
				&& clause.values().size() == 1 && clause.values().get(0).indexOf('|') > 0;
	}

	/**
	 * A page in the default order walked from one clause's index rows in {@code res_pk} order, each candidate checked on its own
	 * ({@link Walk}); {@code bound}: how many of the clause's rows the walk may read.
	 *
	 * <p>Why: for several clauses the planner multiplies their selectivities as if independent. For the provider's queue (owner and
	 * status, both true of every Task) it expected 263 matches of 100,000 and read all 100,000 to sort them (2.2 s, also after
	 * ANALYZE); walked from the owner's index rows the page reads 21 (docs/performance.md, "The work queue after a bulk load, and a
	 * page in the default order").
	 */
	static Walk walk(SearchRequest request, AccessScope scope, SearchRequest.Clause from, int bound) {
		SearchSql driver = new SearchSql();
		driver.where.append("SELECT DISTINCT x.res_pk AS pk FROM ").append(table(from.param())).append(" x WHERE ");
		driver.indexRows(from);
		driver.where.append(" ORDER BY 1 LIMIT ?");
		driver.args.add(bound);
		return walked(driver, request, scope, "d.pk", counted(from, bound), bound);
	}

	/**
	 * A sorted page walked from the newest (or oldest, or first by id) head rows of the type in the sort's order, as its index
	 * gives them, each candidate checked on its own; {@code bound}: how many head rows the walk may read. For a sort on head
	 * columns only ({@link #sortsOnHeadColumns}); {@code count} counts the rows of {@code from}, the walk's reason: worth it when
	 * they are many (a clause with few rows is better read whole and sorted).
	 *
	 * <p>Why: the planner's choice between reading a clause's rows and sorting them, or walking the head rows in order until the
	 * page is full, rests on its estimate of how many rows match, and for correlated clauses (owner and status, true of every Task
	 * of a provider's queue) it multiplies selectivities as if independent. At 25,000 Tasks it expected 6 matches and read and sorted
	 * all 25,001 of the owner's rows for a page of 20: 160-180 ms (docs/performance.md, "The sorted work queue at scale, and
	 * 250,000 referrals").
	 */
	static Walk headWalk(SearchRequest request, AccessScope scope, SearchRequest.Clause from, int bound) {
		SearchSql driver = new SearchSql();
		StringBuilder keys = new StringBuilder();
		StringBuilder outer = new StringBuilder();
		for (int i = 0; i < request.sort().size(); i++) {
			SearchRequest.SortKey key = request.sort().get(i);
			keys.append(", r.").append(key.param().column()).append(" AS s").append(i);
			outer.append("d.s").append(i).append(key.descending() ? " DESC" : " ASC").append(", ");
		}
		String dir = request.sort().get(0).descending() ? " DESC" : " ASC";
		driver.where.append("SELECT r.res_pk AS pk").append(keys).append(" FROM resource r WHERE r.res_type = ?")
				.append(driver.orderBy(request.sort())).append(" LIMIT ?");
		driver.args.add(request.resourceType());
		driver.args.add(bound);
		return walked(driver, request, scope, outer + "d.pk" + dir, counted(from, bound), bound);
	}

	/** Whether a sort is on the head table's own columns only ({@code _lastUpdated}, {@code _id}): an index gives its order. */
	static boolean sortsOnHeadColumns(SearchRequest request) {
		return !request.sort().isEmpty() && request.sort().stream().noneMatch(k -> k.param().isIndexed());
	}

	/** How many rows a clause has in its index table, counted up to one past {@code bound}. */
	private static SearchSql counted(SearchRequest.Clause from, int bound) {
		SearchSql counted = new SearchSql();
		counted.where.append("SELECT count(*) FROM (SELECT 1 FROM ").append(table(from.param())).append(" x WHERE ");
		counted.indexRows(from);
		counted.where.append(" LIMIT ?) c");
		counted.args.add(bound + 1);
		return counted;
	}

	/** A walk over the candidates {@code driver} gives ({@code d.pk}), each checked against the whole request and the access predicate. */
	private static Walk walked(SearchSql driver, SearchRequest request, AccessScope scope, String order, SearchSql counted, int bound) {
		SearchSql check = new SearchSql();
		check.where.append("(SELECT (");
		SearchSql rest = where(request, scope, false, true);
		check.where.append(rest.where);
		check.args.addAll(rest.args);
		check.where.append(") FROM resource r WHERE r.res_pk = d.pk)");
		return new Walk("(" + driver.where + ") d WHERE " + check.where, concat(driver.args, check.args), order, counted.where.toString(),
				counted.args, bound);
	}

	/**
	 * A walk's SQL: {@code from} (a FROM and WHERE over the candidates {@code d(pk)}), {@code order} (theirs, over {@code d}) and
	 * {@code count} (how many of the clause's rows there are, counted up to one past the bound). A page a walk in the default order
	 * did not fill is the whole answer only when the clause has no more rows than the walk read.
	 */
	record Walk(String from, List<Object> args, String order, String count, List<Object> countArgs, int bound) {}

	private static List<Object> concat(List<Object> a, List<Object> b) {
		List<Object> all = new ArrayList<>(a);
		all.addAll(b);
		return all;
	}

	/**
	 * Whether a page of this request is best found by walking the head rows in the sort's order (a sort on
	 * {@code _lastUpdated} or {@code _id}: the provider's queue, a poller's changes), stopping when the page is full.
	 */
	static boolean walksHeadOrder(SearchRequest request) {
		return !request.sort().isEmpty() && !request.sort().get(0).param().isIndexed();
	}

	void access(AccessScope scope) {
		AccessScope.SqlPredicate predicate = scope.predicate();
		if (predicate != null) {
			where.append(" AND (").append(predicate.sql()).append(")");
			args.addAll(predicate.args());
		}
	}

	private void accessPerRow(AccessScope scope) {
		AccessScope.SqlPredicate predicate = scope.predicate();
		if (predicate != null) {
			where.append(" AND (SELECT (").append(predicate.sql()).append(") FROM resource r WHERE r.res_pk = k.pk)");
			args.addAll(predicate.args());
		}
	}

	String orderBy(List<SearchRequest.SortKey> sort) {
		if (sort.isEmpty()) {
			return " ORDER BY r.res_pk";
		}
		StringBuilder order = new StringBuilder(" ORDER BY ");
		for (SearchRequest.SortKey key : sort) {
			SearchParamDef p = key.param();
			String dir = key.descending() ? " DESC" : " ASC";
			if (!p.isIndexed()) {
				order.append("r.").append(p.column()).append(dir).append(", ");
				continue;
			}
			String agg = key.descending() ? "max" : "min";
			String column = switch (p.type()) {
				case DATE -> key.descending() ? "high" : "low";
				case STRING -> "value_norm";
				case TOKEN -> "code";
				case NUMBER, QUANTITY -> "value";
				default -> "value";
			};
			order.append("(SELECT ").append(agg).append("(s.").append(column).append(") FROM ").append(table(p))
					.append(" s WHERE s.res_pk = r.res_pk AND ").append(param("s", p)).append(")").append(dir).append(" NULLS LAST, ");
		}
		order.append("r.res_pk").append(sort.get(0).descending() ? " DESC" : " ASC");
		return order.toString();
	}

	private void clause(SearchRequest.Clause clause) {
		SearchParamDef p = clause.param();
		String modifier = clause.modifier();
		if ("missing".equals(modifier)) {
			boolean missing = Boolean.parseBoolean(clause.values().get(0));
			where.append(missing ? "NOT " : "").append("EXISTS (SELECT 1 FROM ").append(table(p))
					.append(" m WHERE m.res_pk = r.res_pk AND ").append(param("m", p)).append(")");
			return;
		}
		if (!p.isIndexed()) {
			columnClause(p, modifier, clause.values());
			return;
		}
		boolean negate = "not".equals(modifier);
		if (correlated) {
			where.append(negate ? "NOT " : "").append("EXISTS (SELECT 1 FROM ").append(table(p)).append(" x WHERE x.res_pk = r.res_pk AND ");
		} else {
			where.append("r.res_pk ").append(negate ? "NOT IN" : "IN").append(" (SELECT x.res_pk FROM ").append(table(p)).append(" x WHERE ");
		}
		indexRows(clause);
		where.append(")");
	}

	/**
	 * The condition on an index table's rows (alias {@code x}) that match a clause, its modifier aside. A correlated check reads
	 * one resource's rows through {@code res_pk}: its type is compared as an expression no value index can serve, because the
	 * walk's plan is made once without the values ({@link SearchPlans}), and made so it took the value index for
	 * {@code status=requested} and read the 26,000 rows of every requested Task in each probe (72 ms a page instead of 0.2).
	 */
	private void indexRows(SearchRequest.Clause clause) {
		SearchParamDef p = clause.param();
		where.append(correlated ? "(x.res_type || '') = ? AND " : "x.res_type = ? AND ");
		args.add(p.resourceType());
		where.append(param("x", p)).append(" AND (");
		for (int i = 0; i < clause.values().size(); i++) {
			if (i > 0) {
				where.append(" OR ");
			}
			where.append("(");
			value(p, clause.modifier(), clause.values().get(i));
			where.append(")");
		}
		where.append(")");
	}

	/**
	 * The condition on an index row's {@code param} for a parameter: one name, or (for a parameter a narrower one shares
	 * rows with, such as {@code subject} with {@code patient}) any of its row names. The argument is added in place.
	 */
	private String param(String alias, SearchParamDef p) {
		if (p.narrower().isEmpty()) {
			args.add(p.name());
			return alias + ".param = ?";
		}
		args.add(p.rowParams());
		return alias + ".param = ANY(?)";
	}

	private void columnClause(SearchParamDef p, String modifier, List<String> values) {
		if ("res_id".equals(p.column())) {
			where.append("not".equals(modifier) ? "r.res_id <> ALL(?)" : "r.res_id = ANY(?)");
			args.add(values.toArray(new String[0]));
			return;
		}
		where.append("(");
		for (int i = 0; i < values.size(); i++) {
			if (i > 0) {
				where.append(" OR ");
			}
			date("r.last_updated", "r.last_updated", values.get(i));
		}
		where.append(")");
	}

	private void value(SearchParamDef p, String modifier, String value) {
		switch (p.type()) {
			case TOKEN -> token(value);
			case STRING -> string(modifier, value);
			case REFERENCE -> reference(p, modifier, value);
			case DATE -> date("x.low", "x.high", value);
			case NUMBER -> number("x.value", value);
			case QUANTITY -> quantity(value);
			case URI -> uri(modifier, value);
			default -> throw new InvalidRequestException("Parameter " + p.name() + " cannot be searched");
		}
	}

	private void token(String value) {
		int bar = value.indexOf('|');
		if (bar < 0) {
			where.append("x.code = ?");
			args.add(value);
		} else if (bar == 0) {
			where.append("x.code = ? AND x.system IS NULL");
			args.add(value.substring(1));
		} else if (bar == value.length() - 1) {
			where.append("x.system = ?");
			args.add(NhsIdentifiers.canonicalSystem(value.substring(0, bar)));
		} else {
			// Writes store NHS identifier systems in their canonical spelling, and NHS numbers without spaces; so must searches.
			String system = NhsIdentifiers.canonicalSystem(value.substring(0, bar));
			String code = value.substring(bar + 1);
			where.append("x.code = ? AND x.system = ?");
			args.add(NhsIdentifiers.NHS_NUMBER.equals(system) ? code.replace(" ", "") : code);
			args.add(system);
		}
	}

	private void string(String modifier, String value) {
		if ("exact".equals(modifier)) {
			where.append("x.value_exact = ?");
			args.add(value);
			return;
		}
		String normalized = ca.uhn.fhir.util.StringUtil.normalizeStringForSearchIndexing(value);
		if (normalized.length() > SearchIndexer.MAX_STRING) {
			normalized = normalized.substring(0, SearchIndexer.MAX_STRING);
		}
		where.append("x.value_norm LIKE ? ESCAPE '\\'");
		String escaped = likeEscape(normalized);
		args.add("contains".equals(modifier) ? "%" + escaped + "%" : escaped + "%");
	}

	private void reference(SearchParamDef p, String modifier, String value) {
		if ("identifier".equals(modifier)) {
			int bar = value.indexOf('|');
			if (bar < 0) {
				where.append("x.ident_value = ?");
				args.add(value);
			} else if (bar == 0) {
				where.append("x.ident_value = ? AND x.ident_system IS NULL");
				args.add(value.substring(1));
			} else {
				where.append("x.ident_value = ? AND x.ident_system = ?");
				args.add(value.substring(bar + 1));
				args.add(NhsIdentifiers.canonicalSystem(value.substring(0, bar)));
			}
			return;
		}
		if (value.contains("://") || value.startsWith("urn:")) {
			if (value.contains("|")) {
				where.append("x.target_url = ?");
				args.add(value);
			} else {
				// A canonical without a version matches every version of it.
				where.append("(x.target_url = ? OR x.target_url LIKE ? ESCAPE '\\')");
				args.add(value);
				args.add(likeEscape(value) + "|%");
			}
			return;
		}
		SearchValues.ReferenceTarget target = SearchValues.reference(value, modifier, p);
		String type = target.type();
		String id = target.id();
		where.append("x.target_id = ?");
		args.add(id);
		if (type != null) {
			where.append(" AND x.target_type = ?");
			args.add(type);
		}
	}

	/** A search value read by SearchValues; one it cannot read is the caller's mistake (400). */
	private static <T> T read(Supplier<T> reading) {
		try {
			return reading.get();
		} catch (IllegalArgumentException e) {
			throw new InvalidRequestException(e.getMessage());
		}
	}

	private void date(String low, String high, String value) {
		SearchValues.DateValue d = read(() -> SearchValues.date(value));
		Timestamp pl = Timestamp.from(d.low());
		Timestamp ph = Timestamp.from(d.high());
		ParamPrefixEnum prefix = d.prefix();
		switch (prefix) {
			case EQUAL -> { where.append(low).append(" >= ? AND ").append(high).append(" <= ?"); args.add(pl); args.add(ph); }
			case NOT_EQUAL -> { where.append("NOT (").append(low).append(" >= ? AND ").append(high).append(" <= ?)"); args.add(pl); args.add(ph); }
			case GREATERTHAN -> { where.append(high).append(" > ?"); args.add(ph); }
			case LESSTHAN -> { where.append(low).append(" < ?"); args.add(pl); }
			case GREATERTHAN_OR_EQUALS -> { where.append(high).append(" >= ?"); args.add(pl); }
			case LESSTHAN_OR_EQUALS -> { where.append(low).append(" <= ?"); args.add(ph); }
			case STARTS_AFTER -> { where.append(low).append(" > ?"); args.add(ph); }
			case ENDS_BEFORE -> { where.append(high).append(" < ?"); args.add(pl); }
			case APPROXIMATE -> { where.append(low).append(" <= ? AND ").append(high).append(" >= ?"); args.add(ph); args.add(pl); }
			default -> throw new InvalidRequestException("Unsupported date prefix in '" + value + "'");
		}
	}

	private void number(String column, String value) {
		SearchValues.NumberValue n = read(() -> SearchValues.number(value));
		ParamPrefixEnum prefix = n.prefix();
		BigDecimal number = n.number();
		switch (prefix) {
			case EQUAL, APPROXIMATE -> { where.append(column).append(" >= ? AND ").append(column).append(" < ?"); args.add(n.lower()); args.add(n.upper()); }
			case NOT_EQUAL -> { where.append("NOT (").append(column).append(" >= ? AND ").append(column).append(" < ?)"); args.add(n.lower()); args.add(n.upper()); }
			case GREATERTHAN, STARTS_AFTER -> { where.append(column).append(" > ?"); args.add(number); }
			case LESSTHAN, ENDS_BEFORE -> { where.append(column).append(" < ?"); args.add(number); }
			case GREATERTHAN_OR_EQUALS -> { where.append(column).append(" >= ?"); args.add(number); }
			case LESSTHAN_OR_EQUALS -> { where.append(column).append(" <= ?"); args.add(number); }
			default -> throw new InvalidRequestException("Unsupported prefix in '" + value + "'");
		}
	}

	private void quantity(String value) {
		String[] parts = value.split("\\|", -1);
		number("x.value", parts[0]);
		if (parts.length > 1 && !parts[1].isEmpty()) {
			where.append(" AND x.system = ?");
			args.add(parts[1]);
		}
		if (parts.length > 2 && !parts[2].isEmpty()) {
			where.append(" AND x.code = ?");
			args.add(parts[2]);
		}
	}

	private void uri(String modifier, String value) {
		if ("below".equals(modifier)) {
			where.append("x.value LIKE ? ESCAPE '\\'");
			args.add(likeEscape(value) + "%");
		} else {
			where.append("x.value = ?");
			args.add(value);
		}
	}

	static String table(SearchParamDef p) {
		return switch (p.type()) {
			case TOKEN -> "idx_token";
			case STRING -> "idx_string";
			case REFERENCE -> "idx_reference";
			case DATE -> "idx_date";
			case NUMBER -> "idx_number";
			case QUANTITY -> "idx_quantity";
			case URI -> "idx_uri";
			default -> throw new IllegalArgumentException("No index table for " + p.type());
		};
	}

	private static String likeEscape(String s) {
		return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
	}
}
