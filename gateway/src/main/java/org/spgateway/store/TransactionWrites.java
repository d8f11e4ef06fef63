package org.spgateway.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The writes of the current database transaction that have not been sent yet: every data-modifying
 * statement a request makes (its resources with their index rows, access rows, intake and workflow
 * records, outbox rows, its audit receipt) is held here and sent as <b>one</b> statement, each write a
 * data-modifying common table expression, either just before the transaction commits or just before any
 * other statement runs in it (so a read always sees what the transaction wrote before it). A REST
 * referral's eleven writes became one round trip this way (docs/performance.md).
 *
 * <p>The parts of one statement see the database as it was before the statement, not each other's rows:
 * a part may only read rows committed before, or written by an earlier statement of the transaction.
 * Producers that need what a sibling part writes keep it in Java ({@link #attribute}).
 *
 * <p>Outside a transaction (or with no Spring transaction synchronization) {@link #send} runs the
 * statement at once, as before. Failures of held writes surface when they are sent, still before the
 * commit, so the transaction rolls back and nothing of it is stored.
 */
public final class TransactionWrites {

	/** The current transaction's instance; its held parts are dropped when the transaction ends, sent or not. */
	private static final TransactionScoped<TransactionWrites> CURRENT = new TransactionScoped<>(null, (writes, committed) -> writes.clear());
	/** PostgreSQL takes at most 65535 bind values per statement; held writes are sent before they reach that. */
	private static final int MAX_VALUES = 30_000;

	private final List<String> parts = new ArrayList<>();
	private final List<Object> args = new ArrayList<>();
	private final Map<Object, Object> attributes = new HashMap<>();
	private boolean sending;
	private boolean independent;

	private TransactionWrites() {}

	/** The current transaction's held writes, or null outside a transaction. */
	public static TransactionWrites current() {
		if (!TransactionSynchronizationManager.isActualTransactionActive()) {
			return null;
		}
		return CURRENT.get(TransactionWrites::new);
	}

	/**
	 * Runs one data-modifying statement (an INSERT, UPDATE or DELETE whose result the caller does not need)
	 * in the current transaction's combined write, or at once when there is no transaction. The statement
	 * must not depend on rows written earlier in the same transaction by statements still held (see the
	 * class comment); its failure surfaces before the commit.
	 */
	public static void send(JdbcTemplate jdbc, String sql, Object... values) {
		TransactionWrites writes = current();
		if (writes == null) {
			jdbc.update(sql, values);
			return;
		}
		writes.add(sql, values);
		writes.sendIfLarge(jdbc);
	}

	/**
	 * Per-transaction state of a producer of held writes (e.g. the access rows a resource written in this
	 * transaction was given, which a later part cannot read from the table), created on first use.
	 */
	@SuppressWarnings("unchecked")
	public <T> T attribute(Object key, Supplier<T> create) {
		return (T) attributes.computeIfAbsent(key, k -> create.get());
	}

	/** Sends the current transaction's held writes now, if there are any (before a statement that must see them). */
	public static void sendHeld(JdbcTemplate jdbc) {
		TransactionWrites writes = CURRENT.peek();
		if (writes != null && !writes.independent) {
			writes.sendAll(jdbc);
		}
	}

	/**
	 * Runs {@code work}, whose statements neither read nor write anything the held writes touch (intake's idempotency
	 * record, an advisory lock), without sending the held writes first: they stay held for the one combined write.
	 */
	public static <T> T independently(Supplier<T> work) {
		TransactionWrites writes = CURRENT.peek();
		if (writes == null || writes.independent) {
			return work.get();
		}
		writes.independent = true;
		try {
			return work.get();
		} finally {
			writes.independent = false;
		}
	}

	void add(String sql, Object... values) {
		parts.add(sql);
		args.addAll(Arrays.asList(values));
	}

	void addAll(WriteStatement statement) {
		parts.addAll(statement.parts());
		args.addAll(statement.args());
	}

	void sendIfLarge(JdbcTemplate jdbc) {
		if (args.size() > MAX_VALUES) {
			sendAll(jdbc);
		}
	}

	/** Whether a statement about to run is this instance's own combined write (which must not send itself again). */
	boolean isSending() {
		return sending;
	}

	void sendAll(JdbcTemplate jdbc) {
		if (parts.isEmpty() || sending) {
			return;
		}
		WriteStatement statement = new WriteStatement(new ArrayList<>(parts), new ArrayList<>(args));
		parts.clear();
		args.clear();
		sending = true;
		try {
			statement.execute(jdbc);
		} finally {
			sending = false;
		}
	}

	private void clear() {
		parts.clear();
		args.clear();
		attributes.clear();
	}
}
