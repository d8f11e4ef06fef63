package org.spgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LargeClausesTest {

	private static final String COUNT = "SELECT count(*) FROM (SELECT 1 FROM idx_reference x WHERE x.res_type = ? AND x.param = ANY(?) LIMIT ?) c";

	@Test
	void aClauseCountedAsLargeIsKnownForItsOwnValuesOnly() {
		LargeClauses clauses = new LargeClauses();
		List<Object> queue = List.of("Task", new String[] {"owner"}, 501);
		assertThat(clauses.known(COUNT, queue)).isFalse();

		clauses.counted(COUNT, queue);

		assertThat(clauses.known(COUNT, List.of("Task", new String[] {"owner"}, 501))).as("the same values in a new array").isTrue();
		assertThat(clauses.known(COUNT, List.of("Task", new String[] {"requester"}, 501))).isFalse();
		assertThat(clauses.known(COUNT, List.of("Task", new String[] {"owner"}, 1001))).as("another bound").isFalse();
		assertThat(clauses.known(COUNT.replace("idx_reference", "idx_token"), queue)).isFalse();
	}
}
