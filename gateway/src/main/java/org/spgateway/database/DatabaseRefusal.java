package org.spgateway.database;

/**
 * The gateway will not start on this database, for a reason the operator can act on: what is wrong, and what
 * to do. Reported by {@link DatabaseRefusalFailureAnalyzer} as Spring Boot's plain "APPLICATION FAILED TO START"
 * block, without a stack trace.
 */
public class DatabaseRefusal extends IllegalStateException {

	private final String problem;
	private final String action;

	DatabaseRefusal(String problem, String action) {
		super(problem + ". " + action);
		this.problem = problem;
		this.action = action;
	}

	String problem() {
		return problem;
	}

	String action() {
		return action;
	}
}
