package org.spgateway.fhir;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.sql.SQLException;
import java.time.Duration;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.springframework.dao.QueryTimeoutException;

/**
 * The time the request on this thread may still take (gateway.limits.request-timeout). Java cannot stop
 * a thread that is computing, so the budget is kept where work can be cut off: every SQL statement gets
 * the remaining time as its timeout (PostgreSQL cancels it), and waiting for a validator, starting a
 * statement or starting a validation after the deadline is refused. Threads that serve no request
 * (the outbox, re-indexing) have no deadline.
 */
public final class RequestDeadline {

	/** PostgreSQL's SQLSTATE for a statement cancelled by its timeout. */
	private static final String QUERY_CANCELED = "57014";
	private static final ThreadLocal<Budget> CURRENT = new ThreadLocal<>();

	private record Budget(long deadlineNanos, Duration total) {}

	private RequestDeadline() {}

	/** Starts the budget for the request on this thread; {@link #end()} must follow. */
	public static void start(Duration budget) {
		CURRENT.set(new Budget(System.nanoTime() + budget.toNanos(), budget));
	}

	public static void end() {
		CURRENT.remove();
	}

	/** Milliseconds left, at least 1, or -1 if this thread serves no request. Throws once the budget is spent. */
	public static long remainingMillis() {
		Budget budget = CURRENT.get();
		if (budget == null) {
			return -1;
		}
		long left = budget.deadlineNanos() - System.nanoTime();
		if (left <= 0) {
			throw exceeded(budget.total());
		}
		return Math.max(1, left / 1_000_000);
	}

	/** Throws if this thread's request has used its budget. */
	public static void check() {
		remainingMillis();
	}

	/** Whether {@code failure} is a database statement the budget cut off. */
	public static boolean cutOff(Throwable failure) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (t instanceof QueryTimeoutException || t instanceof SQLException sql && QUERY_CANCELED.equals(sql.getSQLState())) {
				return true;
			}
		}
		return false;
	}

	/** The answer for a request over its budget: 503, as for any overload, with nothing stored (its transaction rolls back). */
	public static BaseServerResponseException exceeded(Duration budget) {
		String text = "The request took longer than the " + describe(budget) + " this gateway allows one request; it was stopped"
				+ " and nothing was stored. Retry later, or send a smaller request";
		return new TimedOut(text);
	}

	/** The answer for a failure the budget caused, when the budget itself is no longer known (the statement was cancelled). */
	public static BaseServerResponseException exceeded() {
		Budget budget = CURRENT.get();
		return budget == null ? new TimedOut("A database statement took too long and was stopped; nothing was stored. Retry later")
				: exceeded(budget.total());
	}

	private static String describe(Duration budget) {
		return budget.toMillis() % 1000 == 0 ? budget.toSeconds() + " s" : budget.toMillis() + " ms";
	}

	/** 503 with an OperationOutcome (issue code timeout) and Retry-After. */
	public static final class TimedOut extends BaseServerResponseException {

		private static final long serialVersionUID = 1L;

		TimedOut(String text) {
			super(503, text, Outcomes.single(IssueSeverity.ERROR, IssueType.TIMEOUT, text, null));
			addResponseHeader("Retry-After", "5");
		}
	}
}
