package org.spgateway.store;

import ca.uhn.fhir.context.FhirContext;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.security.AccessScope;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * PostgreSQL persistence of FHIR resources: every version's JSON, a head row per resource, and the
 * search index rewritten with each version. All writes must run inside a transaction opened by the
 * caller (so that several writes, and the outbox rows that go with them, commit together). Inside one they
 * are held and sent with the transaction's other writes as one statement ({@link TransactionWrites}), before
 * the commit or before the transaction's next read, whichever comes first.
 */
public class ResourceStore {

	private static final String COLUMNS = "r.res_pk, r.res_type, r.res_id, v.version, v.last_updated, r.origin, v.content";
	private static final String CURRENT = "SELECT " + COLUMNS
			+ " FROM resource r JOIN resource_version v ON v.res_pk = r.res_pk AND v.version = r.version";
	private static final int PK_BLOCK = 50;
	private static final RowMapper<StoredResource> ROW = ResourceStore::row;
	/** PostgreSQL takes at most 65535 bind values per statement; a batch flushes well before that. */
	private static final int MAX_STATEMENT_VALUES = 30_000;
	/**
	 * How many of the walked clause's rows a walk reads per row of the page, and at least: a page whose matches are rarer than one in
	 * ten of that clause's rows is left to the planner. At most a few milliseconds of index probes when the walk gives up.
	 */
	private static final int WALK_PER_ROW = 10;
	private static final int WALK_MIN = 500;
	static final List<String> INDEX_TABLES =
			List.of("idx_token", "idx_string", "idx_reference", "idx_date", "idx_number", "idx_quantity", "idx_uri");

	private final JdbcTemplate jdbc;
	/** A search's own transaction, for its plans ({@link SearchPlans}): read-only, joining the caller's when there is one. */
	private final TransactionTemplate searches;
	private final FhirContext fhirContext;
	private final SearchIndexer indexer;
	private final LargeClauses largeClauses = new LargeClauses();
	private final Object pkLock = new Object();
	private long nextPk;
	private long pkLimit;

	public ResourceStore(JdbcTemplate jdbc, PlatformTransactionManager transactions, FhirContext fhirContext, SearchIndexer indexer) {
		this.jdbc = jdbc;
		this.searches = new TransactionTemplate(transactions);
		this.searches.setReadOnly(true);
		this.fhirContext = fhirContext;
		this.indexer = indexer;
	}

	public static String newId() {
		return UUID.randomUUID().toString();
	}

	// ---------------------------------------------------------------- writes

	/** Stores version 1 of a new resource with the given id. The resource's meta is filled in. */
	public StoredResource create(Resource resource, String id, String origin, String method) {
		return createAll(List.of(resource), List.of(id), origin, method).get(0);
	}

	/**
	 * Stores version 1 of several new resources (e.g. a QuestionnaireResponse and the Observations
	 * extracted from it, or a batch of a bulk import) in one statement: one multi-row insert per table
	 * instead of one statement per resource, split only where PostgreSQL's limit of bind values per
	 * statement requires. {@code ids.get(i)} is the id of {@code resources.get(i)}. The batch API for
	 * bulk writers: it neither tells change listeners nor writes access rows (see
	 * {@code ResourceService.createAllNow} for that).
	 */
	public List<StoredResource> createAll(List<? extends Resource> resources, List<String> ids, String origin, String method) {
		return createAll(resources, ids, origin, method, this::encode);
	}

	/**
	 * As {@link #createAll(List, List, String, String)}, with the stored JSON written by {@code encoder} from each resource
	 * once its meta is filled in: for a writer that already holds the resource's JSON (the audit trail, which encodes every
	 * event once to hash it) and need not pay for HAPI's encoder twice. The JSON must be the resource's.
	 */
	public List<StoredResource> createAll(List<? extends Resource> resources, List<String> ids, String origin, String method,
			Function<Resource, String> encoder) {
		if (resources.size() != ids.size()) {
			throw new IllegalArgumentException("One id per resource");
		}
		List<StoredResource> stored = new ArrayList<>(resources.size());
		Instant now = stamp();
		Batch batch = new Batch();
		for (int i = 0; i < resources.size(); i++) {
			Resource resource = resources.get(i);
			String type = resource.fhirType();
			String id = ids.get(i);
			long pk = nextPk();
			stampMeta(resource, id, 1, now);
			String json = encoder.apply(resource);
			batch.heads.add(new Object[] {pk, type, id, 1, Timestamp.from(now), origin});
			batch.versions.add(new Object[] {pk, 1, Timestamp.from(now), method, json});
			batch.index(pk, type, indexer.storedRows(resource));
			stored.add(new StoredResource(pk, type, id, 1, now, origin, json));
			if (batch.values() > MAX_STATEMENT_VALUES) {
				batch.send(jdbc);
				batch = new Batch();
			}
		}
		batch.send(jdbc);
		return stored;
	}

	/**
	 * Locks the head row of a resource for the rest of the transaction and returns its current version,
	 * or empty if there is no such resource.
	 */
	public Optional<StoredResource> lockCurrent(String type, String id) {
		// The head row is locked on its own: when a locked row changed while we waited, PostgreSQL re-checks it
		// against the other side of a join as first read, so "FOR UPDATE OF r" on the join with resource_version
		// lost a resource that a concurrent transaction had just updated (a spurious "not found"). The next
		// statement reads the version committed before we got the lock.
		List<Long> locked = jdbc.queryForList("SELECT res_pk FROM resource WHERE res_type = ? AND res_id = ? FOR UPDATE", Long.class, type, id);
		if (locked.isEmpty()) {
			return Optional.empty();
		}
		return jdbc.query(CURRENT + " WHERE r.res_pk = ?", ROW, locked.get(0)).stream().findFirst();
	}

	/** Stores a new version of a resource whose head the caller has locked with {@link #lockCurrent}. */
	public StoredResource update(StoredResource current, Resource resource, String method) {
		int version = current.version() + 1;
		Instant now = stamp();
		long pk = current.pk();
		stampMeta(resource, current.id(), version, now);
		String json = encode(resource);
		WriteStatement write = new WriteStatement()
				.add("UPDATE resource SET version = ?, last_updated = ? WHERE res_pk = ?", version, Timestamp.from(now), pk);
		addVersion(write, pk, version, now, method, json);
		// The deletes see the statement's snapshot, so they remove the old rows and not the new ones.
		for (String table : INDEX_TABLES) {
			write.add("DELETE FROM " + table + " WHERE res_pk = ?", pk);
		}
		addIndex(write, pk, current.type(), indexer.storedRows(resource));
		write.send(jdbc);
		return new StoredResource(pk, current.type(), current.id(), version, now, current.origin(), json);
	}

	/** Serialises concurrent conditional writes on the same criteria until the transaction ends. */
	public void lock(String key) {
		// A lock reads and writes no rows: the transaction's held writes need not be sent before it.
		TransactionWrites.independently(() -> jdbc.queryForList("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", key));
	}

	/**
	 * Rewrites the search index rows of the next {@code limit} resources of a type after {@code afterPk}
	 * (in key order) from their current versions, with the parameters now in force, and returns their keys
	 * (empty when none are left). Their head rows stay locked until the caller's transaction ends, so an
	 * update of one of them waits instead of having its new index rows replaced by the old version's.
	 */
	public List<Long> reindex(String type, long afterPk, int limit) {
		List<Long> pks = jdbc.queryForList("SELECT res_pk FROM resource WHERE res_type = ? AND res_pk > ? ORDER BY res_pk LIMIT ? FOR UPDATE",
				Long.class, type, afterPk, limit);
		if (pks.isEmpty()) {
			return pks;
		}
		String keys = pks.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
		WriteStatement deletes = new WriteStatement();
		for (String table : INDEX_TABLES) {
			deletes.add("DELETE FROM " + table + " WHERE res_pk = ANY(?::bigint[])", keys);
		}
		deletes.execute(jdbc);
		Batch batch = new Batch();
		for (StoredResource current : jdbc.query(CURRENT + " WHERE r.res_pk = ANY(?::bigint[])", ROW, keys)) {
			batch.index(current.pk(), type, indexer.storedRows(fhirContext.newJsonParser().parseResource(current.json())));
			if (batch.values() > MAX_STATEMENT_VALUES) {
				batch.execute(jdbc);
				batch = new Batch();
			}
		}
		batch.execute(jdbc);
		return pks;
	}

	// ---------------------------------------------------------------- reads

	public Optional<StoredResource> read(String type, String id, AccessScope scope) {
		SearchSql access = accessOnly(scope);
		List<Object> args = new ArrayList<>(List.of(type, id));
		args.addAll(access.args);
		return jdbc.query(CURRENT + " WHERE r.res_type = ? AND r.res_id = ?" + access.where, ROW, args.toArray()).stream().findFirst();
	}

	/** Whether any resource (visible or not) has this type and id: tells 404 from 410/403 cases apart. */
	public boolean exists(String type, String id) {
		return !jdbc.queryForList("SELECT 1 FROM resource WHERE res_type = ? AND res_id = ?", type, id).isEmpty();
	}

	public Optional<StoredResource> readVersion(String type, String id, int version, AccessScope scope) {
		SearchSql access = accessOnly(scope);
		List<Object> args = new ArrayList<>(List.of(type, id, version));
		args.addAll(access.args);
		return jdbc.query("SELECT " + COLUMNS + " FROM resource r JOIN resource_version v ON v.res_pk = r.res_pk"
				+ " WHERE r.res_type = ? AND r.res_id = ? AND v.version = ?" + access.where, ROW, args.toArray()).stream().findFirst();
	}

	/** Versions of one resource, newest first, each with the interaction that wrote it. */
	public List<HistoryEntry> history(String type, String id, Instant since, int offset, int count, AccessScope scope) {
		SearchSql access = accessOnly(scope);
		List<Object> args = new ArrayList<>(List.of(type, id));
		String sinceSql = "";
		if (since != null) {
			sinceSql = " AND v.last_updated >= ?";
			args.add(Timestamp.from(since));
		}
		args.addAll(access.args);
		args.add(count);
		args.add(offset);
		return jdbc.query("SELECT " + COLUMNS + ", v.method FROM resource r JOIN resource_version v ON v.res_pk = r.res_pk"
				+ " WHERE r.res_type = ? AND r.res_id = ?" + sinceSql + access.where + " ORDER BY v.version DESC LIMIT ? OFFSET ?",
				(rs, n) -> new HistoryEntry(row(rs, n), rs.getString(8)), args.toArray());
	}

	public List<StoredResource> readAll(String type, Collection<String> ids, AccessScope scope) {
		if (ids.isEmpty()) {
			return List.of();
		}
		SearchSql access = accessOnly(scope);
		List<Object> args = new ArrayList<>();
		args.add(type);
		args.add(ids.toArray(new String[0]));
		args.addAll(access.args);
		return jdbc.query(CURRENT + " WHERE r.res_type = ? AND r.res_id = ANY(?)" + access.where, ROW, args.toArray());
	}

	// ---------------------------------------------------------------- search

	/**
	 * A search's page, its total when asked for and its includes. A search that walks or includes runs in a transaction of its own
	 * (or the caller's), so that its statements whose plans do not depend on their values reuse one ({@link SearchPlans}); the
	 * page and its includes are then also read from one snapshot.
	 */
	public SearchPage search(SearchRequest request, AccessScope scope, int maxIncludes, int maxIterations) {
		if (request.includes().isEmpty() && request.revIncludes().isEmpty() && !mayWalk(request)) {
			return search(request, scope, maxIncludes, maxIterations, SearchPlans.chosen(jdbc));
		}
		return searches.execute(status -> {
			SearchPlans plans = SearchPlans.inTransaction(jdbc);
			SearchPage page = search(request, scope, maxIncludes, maxIterations, plans);
			if (!status.isNewTransaction()) {
				// A search that failed fails the caller's transaction too, whose end undoes the setting (set for the transaction only).
				plans.restore();
			}
			return page;
		});
	}

	private SearchPage search(SearchRequest request, AccessScope scope, int maxIncludes, int maxIterations, SearchPlans plans) {
		boolean valueDependentPlan = !request.sort().isEmpty() || request.clauses().size() > 1;
		List<StoredResource> rows = request.count() == 0 ? List.of() : page(request, scope, valueDependentPlan, plans);
		boolean hasMore = rows.size() > request.count();
		List<StoredResource> matches = hasMore ? rows.subList(0, request.count()) : rows;
		Integer total = null;
		if (request.total() == SearchRequest.Total.ACCURATE || request.count() == 0) {
			SearchSql countSql = SearchSql.where(request, scope);
			total = query(plans, valueDependentPlan, "SELECT count(*) FROM resource r WHERE " + countSql.where, (rs, n) -> rs.getInt(1),
					countSql.args).get(0);
		} else if (!hasMore && (request.offset() == 0 || !matches.isEmpty())) {
			total = request.offset() + matches.size();
		}
		List<StoredResource> included = includes(request, matches, scope, maxIncludes, maxIterations, plans);
		return new SearchPage(matches, included, hasMore, total);
	}

	/** A statement with its arguments. */
	record Statement(String sql, List<Object> args) {}

	/**
	 * A search's page (one row more than asked). Several clauses in the default order: first walked from one clause's index rows
	 * ({@link SearchSql#walk}), reading at most {@link #WALK_PER_ROW} of them per row wanted; a page the walk did not fill, with
	 * rows of the clause left unread, is found as any other. Sorted on head columns with a clause of many rows (more than the walk
	 * may read): first walked from the head rows in the sort's order ({@link SearchSql#headWalk}), under the same bound.
	 */
	private List<StoredResource> page(SearchRequest request, AccessScope scope, boolean valueDependentPlan, SearchPlans plans) {
		SearchSql.Walk walk = walk(request, scope);
		if (walk != null) {
			List<StoredResource> rows = walked(walk, request, plans);
			if (rows.size() > request.count() || rowsOf(walk, plans) <= walk.bound()) {
				return rows;
			}
		}
		walk = headWalk(request, scope);
		if (walk != null && rowsOf(walk, plans) > walk.bound()) {
			List<StoredResource> rows = walked(walk, request, plans);
			if (rows.size() > request.count()) {
				return rows;
			}
		}
		Statement page = pageStatement(request, scope);
		return query(plans, valueDependentPlan, page.sql(), ROW, page.args());
	}

	/** A walk's page. Its plan does not depend on the values (the driver's index gives the order, each candidate is probed). */
	private List<StoredResource> walked(SearchSql.Walk walk, SearchRequest request, SearchPlans plans) {
		Statement statement = walkStatement(walk, request);
		return plans.reused(statement.sql(), ROW, statement.args());
	}

	/**
	 * A walked clause's rows, counted up to one past the bound: one index, one plan, whatever the values. A clause counted as
	 * larger than the bound a moment ago is not counted again ({@link LargeClauses}).
	 */
	private int rowsOf(SearchSql.Walk walk, SearchPlans plans) {
		if (largeClauses.known(walk.count(), walk.countArgs())) {
			return walk.bound() + 1;
		}
		int rows = plans.reused(walk.count(), (rs, n) -> rs.getInt(1), walk.countArgs()).get(0);
		if (rows > walk.bound()) {
			largeClauses.counted(walk.count(), walk.countArgs());
		}
		return rows;
	}

	private static int bound(SearchRequest request) {
		return Math.max(WALK_MIN, WALK_PER_ROW * (request.offset() + request.count() + 1));
	}

	/** Whether a page may be walked ({@link #walk}, {@link #headWalk}): a clause to walk or count, in an order a walk gives. */
	private static boolean mayWalk(SearchRequest request) {
		return SearchSql.walkable(request) != null && (walksDefaultOrder(request) || SearchSql.sortsOnHeadColumns(request));
	}

	/** Several clauses in the default order: walked from one clause's index rows. */
	private static boolean walksDefaultOrder(SearchRequest request) {
		return request.sort().isEmpty() && request.clauses().size() >= 2;
	}

	/** The walk a page is first looked for by, or null: several clauses in the default order only. */
	static SearchSql.Walk walk(SearchRequest request, AccessScope scope) {
		SearchRequest.Clause from = SearchSql.walkable(request);
		if (from == null || !walksDefaultOrder(request)) {
			return null;
		}
		return SearchSql.walk(request, scope, from, bound(request));
	}

	/** The head-order walk a sorted page may be looked for by, or null: a sort on head columns, and a clause to count. */
	static SearchSql.Walk headWalk(SearchRequest request, AccessScope scope) {
		SearchRequest.Clause from = SearchSql.walkable(request);
		if (from == null || !SearchSql.sortsOnHeadColumns(request)) {
			return null;
		}
		return SearchSql.headWalk(request, scope, from, bound(request));
	}

	/** A walk's page: the candidates in the walk's order that pass their check, then their content. */
	static Statement walkStatement(SearchSql.Walk walk, SearchRequest request) {
		List<Object> args = new ArrayList<>(walk.args());
		args.add(request.count() + 1);
		args.add(request.offset());
		return new Statement(pageOf("SELECT d.pk FROM " + walk.from() + " ORDER BY " + walk.order() + " LIMIT ? OFFSET ?"), args);
	}

	private static String pageOf(String keys) {
		return "SELECT " + COLUMNS + " FROM unnest(ARRAY(" + keys + ")) WITH ORDINALITY AS page(pk, n) JOIN resource r ON r.res_pk = page.pk"
				+ " JOIN resource_version v ON v.res_pk = r.res_pk AND v.version = r.version ORDER BY page.n";
	}

	/**
	 * The statement of a search's page (one row more than the page, to tell whether there is a next). The page's keys
	 * first, in order, then their content: joined before the sort, every match's current version would be fetched only
	 * to sort it away (5 s for a provider's queue of 75,000 Tasks; 20 ms this way). A page walked in a head-row order
	 * checks the access predicate row by row ({@link SearchSql#where(SearchRequest, AccessScope, boolean)}).
	 */
	Statement pageStatement(SearchRequest request, AccessScope scope) {
		boolean walked = SearchSql.walksHeadOrder(request);
		SearchSql sql = SearchSql.where(request, scope, walked);
		String order = sql.orderBy(request.sort());
		List<Object> args = new ArrayList<>(sql.args);
		args.add(request.count() + 1);
		args.add(request.offset());
		return new Statement(pageOf("SELECT r.res_pk FROM " + (walked ? SearchSql.FROM_WALKED : SearchSql.FROM) + " WHERE " + sql.where + order
				+ " LIMIT ? OFFSET ?"), args);
	}

	/**
	 * Runs a search statement. When the best plan depends on the values (which of several clauses to start from, whether to walk
	 * the sort order), it is planned for its actual values every time. A single clause without a sort has one sensible plan and
	 * keeps the cheaper reuse (planning every time halved the identifier-search rate).
	 */
	private static <T> List<T> query(SearchPlans plans, boolean planForValues, String sql, RowMapper<T> mapper, List<Object> args) {
		return planForValues ? plans.forValues(sql, mapper, args) : plans.reused(sql, mapper, args);
	}

	private List<StoredResource> includes(SearchRequest request, List<StoredResource> matches, AccessScope scope, int max,
			int maxIterations, SearchPlans plans) {
		if (matches.isEmpty() || (request.includes().isEmpty() && request.revIncludes().isEmpty())) {
			return List.of();
		}
		Map<Long, StoredResource> seen = new LinkedHashMap<>();
		matches.forEach(m -> seen.put(m.pk(), m));
		Map<Long, StoredResource> included = new LinkedHashMap<>();
		List<StoredResource> frontier = matches;
		for (int round = 0; round <= maxIterations && !frontier.isEmpty() && included.size() < max; round++) {
			boolean first = round == 0;
			List<StoredResource> found = new ArrayList<>();
			List<SearchRequest.Include> forward = request.includes().stream().filter(i -> first || i.iterate()).toList();
			for (List<SearchRequest.Include> alike : forward.stream()
					.collect(Collectors.groupingBy(i -> i.sourceType() + "|" + i.targetType(), LinkedHashMap::new, Collectors.toList())).values()) {
				found.addAll(forwardInclude(alike, frontier, scope, max, plans));
			}
			for (SearchRequest.Include include : request.revIncludes()) {
				if (first || include.iterate()) {
					found.addAll(reverseInclude(include, frontier, scope, max, plans));
				}
			}
			List<StoredResource> next = new ArrayList<>();
			for (StoredResource r : found) {
				if (seen.putIfAbsent(r.pk(), r) == null && included.size() < max) {
					included.put(r.pk(), r);
					next.add(r);
				}
			}
			frontier = next;
		}
		return new ArrayList<>(included.values());
	}

	/**
	 * The targets of forward includes from one source type to one target type (or any): one statement for all of them, e.g. a
	 * Task's focus and patient, whose rows are read through the same index.
	 */
	private List<StoredResource> forwardInclude(List<SearchRequest.Include> alike, List<StoredResource> sources, AccessScope scope, int max,
			SearchPlans plans) {
		SearchRequest.Include include = alike.get(0);
		Long[] pks = sources.stream().filter(s -> s.type().equals(include.sourceType())).map(StoredResource::pk).toArray(Long[]::new);
		if (pks.length == 0) {
			return List.of();
		}
		SearchSql access = accessOnly(scope);
		StringBuilder sql = new StringBuilder(CURRENT).append(" JOIN (SELECT DISTINCT x.target_type, x.target_id FROM idx_reference x"
				+ " WHERE x.res_pk = ANY(?) AND x.target_id IS NOT NULL");
		List<Object> args = new ArrayList<>();
		args.add(pks);
		if (alike.stream().allMatch(i -> i.param() != null)) {
			sql.append(" AND x.param = ANY(?)");
			args.add(alike.stream().flatMap(i -> Arrays.stream(indexer.rowParams(i.sourceType(), i.param()))).distinct().toArray(String[]::new));
		}
		if (include.targetType() != null) {
			sql.append(" AND x.target_type = ?");
			args.add(include.targetType());
		}
		sql.append(") t ON r.res_type = t.target_type AND r.res_id = t.target_id WHERE true").append(access.where).append(" LIMIT ?");
		args.addAll(access.args);
		args.add(max);
		return plans.reused(sql.toString(), ROW, args);
	}

	private List<StoredResource> reverseInclude(SearchRequest.Include include, List<StoredResource> targets, AccessScope scope, int max,
			SearchPlans plans) {
		Map<String, List<String>> idsByType = new LinkedHashMap<>();
		for (StoredResource t : targets) {
			if (include.targetType() == null || include.targetType().equals(t.type())) {
				idsByType.computeIfAbsent(t.type(), k -> new ArrayList<>()).add(t.id());
			}
		}
		List<StoredResource> found = new ArrayList<>();
		SearchSql access = accessOnly(scope);
		for (Map.Entry<String, List<String>> e : idsByType.entrySet()) {
			StringBuilder sql = new StringBuilder(CURRENT).append(" WHERE r.res_pk IN (SELECT x.res_pk FROM idx_reference x"
					+ " WHERE x.res_type = ? AND x.target_type = ? AND x.target_id = ANY(?)");
			List<Object> args = new ArrayList<>(List.of(include.sourceType(), e.getKey(), e.getValue().toArray(new String[0])));
			// Every reference parameter of the source type when the include names none (Provenance:*): the rows are then found
			// through the same index as any reference search (res_type, param, target), not one of their own (V102).
			sql.append(" AND x.param = ANY(?)");
			args.add(include.param() != null ? indexer.rowParams(include.sourceType(), include.param())
					: indexer.referenceParams(include.sourceType()));
			sql.append(")").append(access.where).append(" LIMIT ?");
			args.addAll(access.args);
			args.add(max);
			found.addAll(plans.reused(sql.toString(), ROW, args));
		}
		return found;
	}

	// ---------------------------------------------------------------- internals

	private static SearchSql accessOnly(AccessScope scope) {
		SearchSql sql = SearchSql.where(new SearchRequest("", List.of(), List.of(), 0, 0, SearchRequest.Total.NONE, List.of(), List.of()), scope);
		// Drop the "r.res_type = ?" the builder always starts with; keep only the access predicate.
		String where = sql.where.substring("r.res_type = ?".length());
		sql.where.setLength(0);
		sql.where.append(where);
		sql.args.remove(0);
		return sql;
	}

	private static void addVersion(WriteStatement write, long pk, int version, Instant at, String method, String json) {
		write.add("INSERT INTO resource_version (res_pk, version, last_updated, method, content) VALUES (?, ?, ?, ?, ?)", pk, version,
				Timestamp.from(at), method, json);
	}

	private static void addIndex(WriteStatement write, long pk, String type, IndexRows rows) {
		Batch batch = new Batch();
		batch.index(pk, type, rows);
		batch.addIndexTo(write);
	}

	/** The rows of several new resources, gathered per table so that each table gets one multi-row insert. */
	private static final class Batch {
		final List<Object[]> heads = new ArrayList<>();
		final List<Object[]> versions = new ArrayList<>();
		final List<Object[]> tokens = new ArrayList<>();
		final List<Object[]> strings = new ArrayList<>();
		final List<Object[]> references = new ArrayList<>();
		final List<Object[]> dates = new ArrayList<>();
		final List<Object[]> numbers = new ArrayList<>();
		final List<Object[]> quantities = new ArrayList<>();
		final List<Object[]> uris = new ArrayList<>();

		void index(long pk, String type, IndexRows rows) {
			tokens.addAll(rows(rows.tokens, t -> new Object[] {pk, type, t.param(), t.system(), t.code()}));
			strings.addAll(rows(rows.strings, t -> new Object[] {pk, type, t.param(), t.normalized(), t.exact()}));
			references.addAll(rows(rows.references,
					r -> new Object[] {pk, type, r.param(), r.targetType(), r.targetId(), r.targetUrl(), r.identSystem(), r.identValue()}));
			dates.addAll(rows(rows.dates, d -> new Object[] {pk, type, d.param(), Timestamp.from(d.low()), Timestamp.from(d.high())}));
			numbers.addAll(rows(rows.numbers, n -> new Object[] {pk, type, n.param(), n.value()}));
			quantities.addAll(rows(rows.quantities, q -> new Object[] {pk, type, q.param(), q.value(), q.system(), q.code()}));
			uris.addAll(rows(rows.uris, u -> new Object[] {pk, type, u.param(), u.value()}));
		}

		int values() {
			return heads.size() * 6 + versions.size() * 5 + tokens.size() * 5 + strings.size() * 5 + references.size() * 8
					+ dates.size() * 5 + numbers.size() * 4 + quantities.size() * 6 + uris.size() * 4;
		}

		void addIndexTo(WriteStatement write) {
			write.insertRows("idx_token (res_pk, res_type, param, system, code)", 5, tokens);
			write.insertRows("idx_string (res_pk, res_type, param, value_norm, value_exact)", 5, strings);
			write.insertRows("idx_reference (res_pk, res_type, param, target_type, target_id, target_url, ident_system, ident_value)", 8,
					references);
			write.insertRows("idx_date (res_pk, res_type, param, low, high)", 5, dates);
			write.insertRows("idx_number (res_pk, res_type, param, value)", 4, numbers);
			write.insertRows("idx_quantity (res_pk, res_type, param, value, system, code)", 6, quantities);
			write.insertRows("idx_uri (res_pk, res_type, param, value)", 4, uris);
		}

		void execute(JdbcTemplate jdbc) {
			if (values() > 0) {
				statement().execute(jdbc);
			}
		}

		/** Held for the transaction's combined write when there is one (see {@link TransactionWrites}). */
		void send(JdbcTemplate jdbc) {
			if (values() > 0) {
				statement().send(jdbc);
			}
		}

		private WriteStatement statement() {
			WriteStatement write = new WriteStatement()
					.insertRows("resource (res_pk, res_type, res_id, version, last_updated, origin)", 6, heads)
					.insertRows("resource_version (res_pk, version, last_updated, method, content)", 5, versions);
			addIndexTo(write);
			return write;
		}
	}

	/** Distinct rows only: a value reached by two paths of one parameter is indexed once. */
	private static <T> List<Object[]> rows(List<T> values, Function<T, Object[]> toRow) {
		return new java.util.LinkedHashSet<>(values).stream().map(toRow).toList();
	}

	private long nextPk() {
		synchronized (pkLock) {
			if (nextPk >= pkLimit) {
				// The sequence hands out blocks of PK_BLOCK; each instance uses its block without a round trip.
				// A sequence is no row of the held writes: they need not be sent before it.
				long start = TransactionWrites.independently(() -> jdbc.queryForObject("SELECT nextval('res_pk_seq')", Long.class));
				nextPk = start;
				pkLimit = start + PK_BLOCK;
			}
			return nextPk++;
		}
	}

	/** FHIR instants here carry milliseconds (HAPI's InstantType), so the store keeps the same. */
	private static Instant stamp() {
		return Instant.now().truncatedTo(ChronoUnit.MILLIS);
	}

	private static void stampMeta(Resource resource, String id, int version, Instant at) {
		resource.setId(resource.fhirType() + "/" + id);
		resource.getMeta().setVersionId(Integer.toString(version));
		resource.getMeta().setLastUpdated(java.util.Date.from(at));
	}

	private String encode(Resource resource) {
		return fhirContext.newJsonParser().encodeResourceToString(resource);
	}

	private static StoredResource row(ResultSet rs, int rowNum) throws SQLException {
		return new StoredResource(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getTimestamp(5).toInstant(),
				rs.getString(6), rs.getString(7));
	}

	/** Names of resource types that have at least one stored resource (for diagnostics). */
	public Set<String> storedTypes() {
		return Set.copyOf(jdbc.queryForList("SELECT DISTINCT res_type FROM resource", String.class));
	}
}
