package org.spgateway.store;

import java.sql.PreparedStatement;
import java.util.List;
import org.postgresql.PGStatement;
import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * How a search's statements are planned. A statement whose best plan depends on its values (which of several clauses to start
 * from, whether to walk the sort order) is planned for them every time ({@link #forValues}). One whose plan does not (a walk, a
 * clause's count, an include) is planned once and the plan reused ({@link #reused}): PostgreSQL would otherwise keep planning
 * it for its values, because the plan it makes without them looks dearer on paper (an array parameter of unknown length, a
 * {@code LIMIT} of unknown size) although it is the same plan. Planning was more than half of the provider's queue page in
 * PostgreSQL: 0.43 ms of the walk's 0.73, 0.28 of each include's 0.3-0.55 (docs/performance.md, "The work queue's plans and
 * Bundle").
 *
 * <p>PostgreSQL is told with {@code plan_cache_mode}, set for the search's transaction only ({@code set_config(..., true)}), so
 * it must run in one ({@link #inTransaction(JdbcTemplate)}). Outside one (a search that neither walks nor includes), statements
 * keep PostgreSQL's own choice, as before.
 */
final class SearchPlans {

	private static final String MODE = "SELECT set_config('plan_cache_mode', ?, true)";
	private static final String GENERIC = "force_generic_plan";
	private static final String CHOSEN = "auto";

	private final JdbcTemplate jdbc;
	private final boolean inTransaction;
	private boolean generic;

	private SearchPlans(JdbcTemplate jdbc, boolean inTransaction) {
		this.jdbc = jdbc;
		this.inTransaction = inTransaction;
	}

	/** Statements as PostgreSQL chooses, outside a transaction of the search's own. */
	static SearchPlans chosen(JdbcTemplate jdbc) {
		return new SearchPlans(jdbc, false);
	}

	/** Inside the search's transaction (or one it joined): plans reused where they can be. */
	static SearchPlans inTransaction(JdbcTemplate jdbc) {
		return new SearchPlans(jdbc, true);
	}

	/** Runs a statement whose plan does not depend on its values, with a plan made once for it and reused. */
	<T> List<T> reused(String sql, RowMapper<T> mapper, List<Object> args) {
		mode(true);
		return jdbc.query(sql, mapper, args.toArray());
	}

	/**
	 * Runs a statement planned for its actual values: a reused server-side prepared statement would switch to a generic plan
	 * after five executions, which cannot see that a provider's ODS code matches 75,000 Tasks (its queue page went from 12 ms to a
	 * second).
	 */
	<T> List<T> forValues(String sql, RowMapper<T> mapper, List<Object> args) {
		mode(false);
		return jdbc.query(connection -> {
			PreparedStatement statement = connection.prepareStatement(sql);
			statement.unwrap(PGStatement.class).setPrepareThreshold(0);
			new ArgumentPreparedStatementSetter(args.toArray()).setValues(statement);
			return statement;
		}, mapper);
	}

	/** Leaves the transaction's planning as PostgreSQL chooses it: for a transaction the search joined and does not end. */
	void restore() {
		mode(false);
	}

	private void mode(boolean reuse) {
		if (inTransaction && reuse != generic) {
			jdbc.queryForObject(MODE, String.class, reuse ? GENERIC : CHOSEN);
			generic = reuse;
		}
	}
}
