package org.spgateway.database;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.spgateway.fhir.Outcomes;
import org.springframework.transaction.TransactionSystemException;

/**
 * Failures that are the database's, not the request's: PostgreSQL unreachable or restarting, every
 * pooled connection busy for longer than the pool's connection timeout, or the server out of disk or
 * memory. Each is answered 503 with Retry-After and an OperationOutcome in plain words: the request's
 * transaction did not commit (PostgreSQL rolls back a transaction whose connection was lost), so the
 * caller can send the same request again once the database is back. Nothing in the answer names the
 * driver, SQL or the exception; the log gets the SQLSTATE.
 */
public final class DatabaseFaults {

	/** What went wrong, as far as a caller or an operator needs to know. */
	public enum Fault {
		/** The database cannot be reached, is starting or stopping, or dropped the connection. */
		UNREACHABLE("The gateway cannot reach its database at the moment. Nothing was stored. Retry in a few seconds", 5),
		/**
		 * The connection was lost while the commit was on its way: PostgreSQL may have committed before it went, so
		 * the request may or may not have been stored.
		 */
		COMMIT_UNKNOWN("The gateway lost its database while saving this request, so it cannot tell whether it was stored."
				+ " Send the same request again in a few seconds: a referral carrying its identifier (or a BaRS message its id) is"
				+ " recognised and not stored twice; for anything else, search for it first", 5),
		/** Every connection of the pool stayed busy for the pool's connection timeout: the gateway is overloaded. */
		BUSY("The gateway is too busy to take this request now (every database connection is in use). Nothing was stored."
				+ " Retry in a few seconds", 2),
		/** The database server has no disk space left: writes are refused until an operator frees some. */
		STORAGE_FULL("The gateway's database has run out of storage space, so it cannot store anything at the moment. Nothing was"
				+ " stored. Reading still works; retry the write later", 60),
		/** The database is read-only (a standby after a fail-over, or set read-only by its operator). */
		READ_ONLY("The gateway's database accepts no writes at the moment. Nothing was stored. Retry later", 30);

		private final String text;
		private final int retryAfterSeconds;

		Fault(String text, int retryAfterSeconds) {
			this.text = text;
			this.retryAfterSeconds = retryAfterSeconds;
		}

		public String text() {
			return text;
		}

		public int retryAfterSeconds() {
			return retryAfterSeconds;
		}
	}

	/** PostgreSQL's SQLSTATE for disk_full. */
	static final String DISK_FULL = "53100";

	private DatabaseFaults() {}

	/** The database fault behind {@code failure}, if it is one; empty for anything else (a bug, a constraint, a bad statement). */
	public static Optional<Fault> of(Throwable failure) {
		boolean poolTimedOut = false;
		for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
			if (isCommit(t) && connectionLost(t.getCause())) {
				return Optional.of(Fault.COMMIT_UNKNOWN);
			}
			if (t instanceof TransactionSystemException tx) {
				// Commit or rollback failed. When the server went away mid-transaction HikariCP has already closed the
				// connection ("Connection is closed", no SQLSTATE), and the failure that says why is the application's.
				Optional<Fault> why = tx.getApplicationException() == null ? Optional.empty() : of(tx.getApplicationException());
				if (why.isPresent()) {
					return why;
				}
				if (tx.getCause() instanceof SQLException sql && sql.getSQLState() == null) {
					return Optional.of(Fault.UNREACHABLE);
				}
			}
			if (t instanceof SQLException sql) {
				Optional<Fault> known = ofState(sql.getSQLState());
				if (known.isPresent()) {
					return known;
				}
				// HikariCP's "Connection is not available, request timed out": busy, unless a cause says the server is down.
				poolTimedOut |= t instanceof SQLTransientConnectionException;
			}
		}
		return poolTimedOut ? Optional.of(Fault.BUSY) : Optional.empty();
	}

	/**
	 * Spring names the step that failed: "JDBC commit failed" (TransactionSystemException), or "JDBC commit; ..." when
	 * Boot's JdbcTransactionManager translates the driver's exception (a DataAccessResourceFailureException for a lost
	 * connection). The commit's outcome is then unknown; a failed rollback ("JDBC rollback") stored nothing.
	 */
	private static boolean isCommit(Throwable t) {
		return t.getMessage() != null && t.getMessage().startsWith("JDBC commit");
	}

	/** The pool closed the connection (no SQLSTATE), or the server dropped it (class 08, or 57P0x: shutting down). */
	private static boolean connectionLost(Throwable cause) {
		if (!(cause instanceof SQLException sql)) {
			return false;
		}
		String state = sql.getSQLState();
		return state == null || state.startsWith("08") || state.startsWith("57P0");
	}

	/** The SQLSTATE of the first SQLException behind {@code failure}, for the log. */
	public static String sqlState(Throwable failure) {
		for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
			if (t instanceof SQLException sql && sql.getSQLState() != null) {
				return sql.getSQLState();
			}
		}
		return "none";
	}

	static Optional<Fault> ofState(String state) {
		if (state == null || state.length() != 5) {
			return Optional.empty();
		}
		if (state.equals(DISK_FULL)) {
			return Optional.of(Fault.STORAGE_FULL);
		}
		return switch (state.substring(0, 2)) {
			// connection_exception: refused, lost, closed.
			case "08" -> Optional.of(Fault.UNREACHABLE);
			// insufficient_resources other than disk: out of memory, too many connections.
			case "53" -> Optional.of(Fault.BUSY);
			// operator_intervention: admin_shutdown, crash_shutdown, cannot_connect_now (not 57014, a cancelled statement).
			case "57" -> state.startsWith("57P") ? Optional.of(Fault.UNREACHABLE) : Optional.empty();
			// system_error: io_error and the like.
			case "58" -> Optional.of(Fault.UNREACHABLE);
			// read_only_sql_transaction: the server is a standby.
			case "25" -> state.equals("25006") ? Optional.of(Fault.READ_ONLY) : Optional.empty();
			default -> Optional.empty();
		};
	}

	/** The answer for a database fault: 503, an OperationOutcome and Retry-After. */
	public static BaseServerResponseException answer(Fault fault) {
		return new Unavailable(fault);
	}

	/** 503 with an OperationOutcome (issue code transient, or no-store for a full disk) and Retry-After. */
	public static final class Unavailable extends BaseServerResponseException {

		private static final long serialVersionUID = 1L;

		Unavailable(Fault fault) {
			super(503, fault.text(), Outcomes.single(IssueSeverity.ERROR, fault == Fault.STORAGE_FULL ? IssueType.NOSTORE : IssueType.TRANSIENT,
					fault.text(), null));
			addResponseHeader("Retry-After", Integer.toString(fault.retryAfterSeconds()));
		}
	}
}
