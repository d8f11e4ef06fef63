package org.spgateway.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Collects the inserts, updates and deletes of one resource write into a single SQL statement (one
 * data-modifying CTE per part), so a write costs one round trip to PostgreSQL however many index rows
 * it has. PostgreSQL runs all parts against the same snapshot and checks foreign keys at the end of
 * the statement, so the parts may come in any order.
 */
final class WriteStatement {

	private final List<String> parts;
	private final List<Object> args;

	WriteStatement() {
		this(new ArrayList<>(), new ArrayList<>());
	}

	WriteStatement(List<String> parts, List<Object> args) {
		this.parts = parts;
		this.args = args;
	}

	List<String> parts() {
		return parts;
	}

	List<Object> args() {
		return args;
	}

	/**
	 * Sends the statement now, or holds it for the transaction's combined write ({@link TransactionWrites}) when
	 * there is a transaction: the common case, where a request's writes all go out in one statement.
	 */
	void send(JdbcTemplate jdbc) {
		TransactionWrites writes = TransactionWrites.current();
		if (writes == null) {
			execute(jdbc);
			return;
		}
		writes.addAll(this);
		writes.sendIfLarge(jdbc);
	}

	WriteStatement add(String sql, Object... values) {
		parts.add(sql);
		args.addAll(Arrays.asList(values));
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
			args.addAll(Arrays.asList(rows.get(i)));
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
