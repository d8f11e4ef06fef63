package org.spgateway.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class LogSafeTest {

	@Test
	void postgresKeyDetailsLoseTheirValues() {
		String safe = LogSafe.message("ERROR: duplicate key value violates unique constraint \"ux\"\n  Detail: Key (system, code)=(https://x, Smith)"
				+ " already exists.");
		assertThat(safe).doesNotContain("Smith").contains("Key (system, code)=(…)");
	}

	@Test
	void quotedValuesAndDigitRunsAreHidden() {
		String safe = LogSafe.message("Invalid attribute value \"9434765919\": unknown code 'Jones' at line 3");
		assertThat(safe).doesNotContain("9434765919").doesNotContain("Jones").contains("Invalid attribute value");
	}

	@Test
	void aRedactedChainKeepsClassesAndFramesButNotValues() {
		SQLException cause = new SQLException("ERROR: invalid input: Key (family)=(Zebedee) already exists", "23505");
		RuntimeException failure = new IllegalStateException("could not store 'Zebedee'", cause);
		Throwable safe = LogSafe.redacted(failure);
		StringWriter out = new StringWriter();
		safe.printStackTrace(new PrintWriter(out));
		assertThat(out.toString()).doesNotContain("Zebedee").contains("java.lang.IllegalStateException").contains("java.sql.SQLException")
				.contains("LogSafeTest.aRedactedChainKeepsClassesAndFramesButNotValues");
	}
}
