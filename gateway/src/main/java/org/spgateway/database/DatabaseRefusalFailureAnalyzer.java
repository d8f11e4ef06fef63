package org.spgateway.database;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Start-up refused by a database check: said in plain words, once (registered in META-INF/spring.factories). */
public class DatabaseRefusalFailureAnalyzer extends AbstractFailureAnalyzer<DatabaseRefusal> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, DatabaseRefusal cause) {
		return new FailureAnalysis(cause.problem() + ".", cause.action(), cause);
	}
}
