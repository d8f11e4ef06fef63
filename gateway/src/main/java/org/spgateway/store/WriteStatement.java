package org.spgateway.store;

import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Collects the inserts, updates and deletes of one resource write into a single SQL statement (one
 * data-modifying CTE per part), so a write costs one round trip to PostgreSQL however many index rows
 * it has. PostgreSQL runs all parts against the same snapshot and checks foreign keys at the end of
 * the statement, so the parts may come in any order.
 */
final class WriteStatement {

	private final List<String> parts = new ArrayList<>();
	private final List<Object> args = new ArrayList<>();

	WriteStatement add(String sql, Object... values) {
		parts.add(sql);
		args.addAll(java.util.Arrays.asList(values));
		return this;
	}

	/** A multi-row INSERT; {@code rows} holds each row's values in column order. */
	WriteStatement insertRows(String target, int columns, List<Object[]> rows) {
		if (rows.isEmpty()) {
			return this;
		}
		StringBuilder sql = new StringBuilder("INSERT INTO ").append(target).append(" VALUES ");
		String tuple = "(" + "?, ".repeat(columns - 1) + "?)";
		for (int i = 0; i < rows.size(); i++) {
			sql.append(i == 0 ? "" : ", ").append(tuple);
			args.addAll(java.util.Arrays.asList(rows.get(i)));
		}
		parts.add(sql.toString());
		return this;
	}

	void execute(JdbcTemplate jdbc) {
		if (parts.isEmpty()) {
			return;
		}
		if (parts.size() == 1) {
			jdbc.update(parts.get(0), args.toArray());
			return;
		}
		StringBuilder sql = new StringBuilder("WITH ");
		for (int i = 0; i < parts.size(); i++) {
			sql.append(i == 0 ? "" : ", ").append("w").append(i).append(" AS (").append(parts.get(i)).append(")");
		}
		sql.append(" SELECT 1");
		jdbc.query(sql.toString(), rs -> {}, args.toArray());
	}
}
