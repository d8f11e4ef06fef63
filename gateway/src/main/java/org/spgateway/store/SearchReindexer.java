package org.spgateway.store;

import ca.uhn.fhir.context.FhirContext;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.database.DatabaseFaults;
import org.spgateway.fhir.LogSafe;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps the search index of stored resources in step with the search parameters in force. Every write
 * indexes with the parameters loaded at start-up, so only resources stored before a restart that added,
 * changed or removed a parameter (a SearchParameter in profiles/, or a HAPI upgrade changing a base
 * expression) can be out of date. At start-up this compares each type's parameters with those its
 * stored resources were indexed with (table search_index_state) and re-indexes the types that differ,
 * in the background, in batches in key order, each batch in its own transaction, recording how far it
 * got so that a restart carries on. One instance at a time does it (a PostgreSQL advisory lock).
 */
public class SearchReindexer implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(SearchReindexer.class);
	/** How long re-indexing waits before trying again when the database is down or every connection is busy. */
	private static final Duration RETRY_AFTER_DATABASE_FAULT = Duration.ofSeconds(5);
	private static final String LOCK = "SELECT pg_try_advisory_lock(hashtextextended('search-reindex', 0))";
	private static final String UNLOCK = "SELECT pg_advisory_unlock(hashtextextended('search-reindex', 0))";

	/** What health reports: each type being re-indexed and how far it has got. */
	public record Progress(long done, long total) {}

	private record State(String parameters, String reindexTo, Long doneThrough) {}

	private final JdbcTemplate jdbc;
	private final TransactionTemplate transactions;
	private final ResourceStore store;
	private final SearchParameterRegistry registry;
	private final FhirContext fhirContext;
	private final int batchSize;
	private final Map<String, Progress> reindexing = new ConcurrentHashMap<>();
	private final Map<String, Long> reindexed = new ConcurrentHashMap<>();
	private volatile String status = "checking";
	private volatile boolean running;
	private Thread worker;

	public SearchReindexer(JdbcTemplate jdbc, TransactionTemplate transactions, ResourceStore store,
			SearchParameterRegistry registry, FhirContext fhirContext, int batchSize) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.store = store;
		this.registry = registry;
		this.fhirContext = fhirContext;
		this.batchSize = batchSize;
	}

	/** "checking", "up to date", "re-indexing", "left to another instance", "stopped", or what went wrong. */
	public String status() {
		return status;
	}

	public Map<String, Progress> reindexing() {
		return Map.copyOf(reindexing);
	}

	/** Resources re-indexed by this instance since it started, by type. */
	public Map<String, Long> reindexed() {
		return Map.copyOf(reindexed);
	}

	// ---------------------------------------------------------------- lifecycle

	@Override
	public synchronized void start() {
		running = true;
		worker = new Thread(this::run, "search-reindex");
		worker.setDaemon(true);
		worker.start();
	}

	@Override
	public synchronized void stop() {
		running = false;
		if (worker != null) {
			try {
				// A batch in progress finishes (or rolls back with the connection); the next start carries on.
				worker.join(10_000);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	// ---------------------------------------------------------------- work

	private void run() {
		while (running) {
			try {
				reindexOnce();
				return;
			} catch (RuntimeException | SQLException e) {
				if (DatabaseFaults.of(e).isEmpty()) {
					// Health and log show the failure's class and a redacted message: a stored resource's values may be quoted in it.
					status = "failed: " + e.getClass().getSimpleName() + ": " + LogSafe.message(e.getMessage());
					log.error("Re-indexing stored resources failed; searches on changed parameters may miss them until a restart finishes it",
							LogSafe.redacted(e));
					return;
				}
				// The database is down or busy: not this work's fault. Batches already done are recorded; carry on when it is back.
				status = "waiting for the database";
				log.warn("Re-indexing stored resources paused: the database is unavailable (SQLSTATE {}); trying again in {} s",
						DatabaseFaults.sqlState(e), RETRY_AFTER_DATABASE_FAULT.toSeconds());
				try {
					Thread.sleep(RETRY_AFTER_DATABASE_FAULT.toMillis());
				} catch (InterruptedException ie) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	private void reindexOnce() throws SQLException {
		// The advisory lock belongs to a session, so one connection holds it for the whole run.
		try (Connection lockHolder = jdbc.getDataSource().getConnection()) {
			if (!advisory(lockHolder, LOCK)) {
				status = "left to another instance";
				log.info("Another gateway instance is re-indexing stored resources; this one leaves it to that one");
				return;
			}
			try {
				reindexOutOfDateTypes();
			} finally {
				advisory(lockHolder, UNLOCK);
			}
		}
	}

	private void reindexOutOfDateTypes() {
		Map<String, State> states = new TreeMap<>();
		jdbc.query("SELECT res_type, parameters, reindex_to, done_through FROM search_index_state", (ResultSet rs) -> {
			states.put(rs.getString(1), new State(rs.getString(2), rs.getString(3), (Long) rs.getObject(4)));
		});
		Map<String, String> outOfDate = new LinkedHashMap<>();
		for (String type : new TreeSet<>(fhirContext.getResourceTypes())) {
			String parameters = describe(registry.forType(type));
			State state = states.get(type);
			if (state == null) {
				// No row: nothing of this type was stored before this start, so every one of them was indexed
				// with today's parameters.
				jdbc.update("INSERT INTO search_index_state (res_type, parameters) VALUES (?, ?) ON CONFLICT (res_type) DO NOTHING", type,
						parameters);
			} else if (!parameters.equals(state.parameters()) || state.reindexTo() != null) {
				// Also an unfinished re-index to other parameters: it left some resources indexed the other way.
				outOfDate.put(type, parameters);
			}
		}
		status = outOfDate.isEmpty() ? "up to date" : "re-indexing";
		for (Map.Entry<String, String> type : outOfDate.entrySet()) {
			if (!running) {
				status = "stopped";
				return;
			}
			reindex(type.getKey(), states.get(type.getKey()), type.getValue());
		}
		status = running ? "up to date" : "stopped";
	}

	private void reindex(String type, State state, String parameters) {
		// The same re-index interrupted by a restart carries on after the last batch it committed.
		long after = parameters.equals(state.reindexTo()) && state.doneThrough() != null ? state.doneThrough() : 0;
		long total = jdbc.queryForObject("SELECT count(*) FROM resource WHERE res_type = ? AND res_pk > ?", Long.class, type, after);
		if (total == 0) {
			record(type, parameters);
			return;
		}
		log.info("Search parameters of {} {}; re-indexing {} stored resources in the background", type, changes(state.parameters(), parameters),
				total);
		long started = System.nanoTime();
		long done = 0;
		reindexing.put(type, new Progress(0, total));
		while (running) {
			long from = after;
			List<Long> batch = transactions.execute(tx -> {
				List<Long> pks = store.reindex(type, from, batchSize);
				if (!pks.isEmpty()) {
					jdbc.update("UPDATE search_index_state SET reindex_to = ?, done_through = ? WHERE res_type = ?", parameters,
							pks.get(pks.size() - 1), type);
				}
				return pks;
			});
			if (batch.isEmpty()) {
				record(type, parameters);
				log.info("Re-indexed {} {} resources in {} ms", done, type, (System.nanoTime() - started) / 1_000_000);
				break;
			}
			after = batch.get(batch.size() - 1);
			done += batch.size();
			reindexing.put(type, new Progress(done, Math.max(done, total)));
			reindexed.merge(type, (long) batch.size(), Long::sum);
		}
		reindexing.remove(type);
	}

	private void record(String type, String parameters) {
		jdbc.update("UPDATE search_index_state SET parameters = ?, reindex_to = NULL, done_through = NULL WHERE res_type = ?", parameters, type);
	}

	/** The indexed parameters of a type, one line each, in name order: what the index of its resources depends on. */
	static String describe(Map<String, SearchParamDef> params) {
		return params.values().stream()
				.filter(SearchParamDef::isIndexed)
				.map(p -> p.name() + " " + p.type().getCode() + " " + p.expression() + " " + new TreeSet<>(p.targets()))
				.collect(Collectors.joining("\n"));
	}

	/** For the log: which parameters were added, changed or removed since the stored resources were indexed. */
	static String changes(String before, String after) {
		if (before == null) {
			return "were not recorded when its resources were indexed (by an earlier version of the gateway)";
		}
		Map<String, String> old = byName(before);
		Map<String, String> now = byName(after);
		List<String> parts = new ArrayList<>();
		Set<String> added = new TreeSet<>(now.keySet());
		added.removeAll(old.keySet());
		Set<String> removed = new TreeSet<>(old.keySet());
		removed.removeAll(now.keySet());
		Set<String> changed = new TreeSet<>();
		now.forEach((name, line) -> {
			if (old.containsKey(name) && !old.get(name).equals(line)) {
				changed.add(name);
			}
		});
		if (!added.isEmpty()) {
			parts.add("added " + String.join(", ", added));
		}
		if (!changed.isEmpty()) {
			parts.add("changed " + String.join(", ", changed));
		}
		if (!removed.isEmpty()) {
			parts.add("removed " + String.join(", ", removed));
		}
		return "changed since its resources were indexed" + (parts.isEmpty() ? "" : ": " + String.join("; ", parts));
	}

	private static Map<String, String> byName(String lines) {
		Map<String, String> byName = new TreeMap<>();
		for (String line : lines.split("\n")) {
			if (!line.isEmpty()) {
				int space = line.indexOf(' ');
				byName.put(space < 0 ? line : line.substring(0, space), line);
			}
		}
		return byName;
	}

	private static boolean advisory(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
			return rs.next() && rs.getBoolean(1);
		}
	}
}
