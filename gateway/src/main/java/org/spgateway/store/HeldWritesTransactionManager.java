package org.spgateway.store;

import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.support.DefaultTransactionStatus;

/**
 * Spring Boot's JDBC transaction manager, which sends the transaction's held writes ({@link TransactionWrites})
 * just before it commits: after every before-commit callback (feedback composed, the audit receipt), so those
 * writes join the same combined statement. A failure of that statement rolls the transaction back and reaches
 * the caller as the failure of the commit would, with nothing stored.
 * <p>
 * A failure of the commit itself reaches the caller as "JDBC commit failed", whatever followed: Spring would
 * otherwise try a rollback on the lost connection and throw the rollback's failure instead, and the caller would
 * be told nothing was stored of a transaction PostgreSQL may have committed just before the connection went.
 */
public class HeldWritesTransactionManager extends JdbcTransactionManager {

	private final JdbcTemplate jdbc;

	public HeldWritesTransactionManager(DataSource dataSource, JdbcTemplate jdbc) {
		super(dataSource);
		this.jdbc = jdbc;
	}

	@Override
	protected void doCommit(DefaultTransactionStatus status) {
		TransactionWrites.sendHeld(jdbc);
		try {
			super.doCommit(status);
		} catch (RuntimeException commitFailed) {
			// A TransactionException is not rolled back after (rollbackOnCommitFailure is off): the outcome stays unknown.
			throw commitFailed instanceof TransactionSystemException ? commitFailed
					: new TransactionSystemException("JDBC commit failed", commitFailed);
		}
	}
}
