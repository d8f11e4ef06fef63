package org.spgateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.spgateway.database.DatabaseFaults;
import org.spgateway.database.DatabaseFaults.Fault;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * PostgreSQL stopped by its operator during a COMMIT may commit and then drop the connection: the driver reports
 * 57P01 for the commit, and the pool's connection is then closed, so a rollback fails too. The caller must hear
 * that the outcome is unknown, not that nothing was stored (seen under load in {@code DatabaseOutageIT}).
 */
class HeldWritesTransactionManagerTest {

	@Test
	void aCommitCutOffByAShutdownIsAnUnknownOutcomeEvenWhenTheRollbackAfterItFails() {
		List<String> calls = new ArrayList<>();
		DataSource dataSource = dataSource(calls);
		TransactionTemplate transactions = new TransactionTemplate(new HeldWritesTransactionManager(dataSource, new JdbcTemplate(dataSource)));

		Throwable failure = catchThrowable(() -> transactions.executeWithoutResult(tx -> calls.add("work")));

		assertThat(DatabaseFaults.of(failure)).contains(Fault.COMMIT_UNKNOWN);
		assertThat(calls).containsSubsequence("work", "commit").doesNotContain("rollback");
	}

	/** One connection whose commit is answered by an administrator's shutdown and whose rollback finds it closed. */
	private static DataSource dataSource(List<String> calls) {
		boolean[] autoCommit = {true};
		Connection connection = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
				(proxy, method, args) -> switch (method.getName()) {
					case "getAutoCommit" -> autoCommit[0];
					case "setAutoCommit" -> {
						autoCommit[0] = (Boolean) args[0];
						yield null;
					}
					case "commit" -> {
						calls.add("commit");
						throw new SQLException("FATAL: terminating connection due to administrator command", "57P01");
					}
					case "rollback" -> {
						calls.add("rollback");
						throw new SQLException("This connection has been closed.", "08003");
					}
					case "isClosed", "isReadOnly" -> false;
					case "getTransactionIsolation" -> Connection.TRANSACTION_READ_COMMITTED;
					case "hashCode" -> System.identityHashCode(proxy);
					case "equals" -> proxy == args[0];
					default -> null;
				});
		return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
				(proxy, method, args) -> switch (method.getName()) {
					case "getConnection" -> connection;
					case "hashCode" -> System.identityHashCode(proxy);
					case "equals" -> proxy == args[0];
					default -> null;
				});
	}
}
