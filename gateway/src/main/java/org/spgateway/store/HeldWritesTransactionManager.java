package org.spgateway.store;

import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;

/**
 * Spring Boot's JDBC transaction manager, which sends the transaction's held writes ({@link TransactionWrites})
 * just before it commits: after every before-commit callback (feedback composed, the audit receipt), so those
 * writes join the same combined statement. A failure of that statement rolls the transaction back and reaches
 * the caller as the failure of the commit would, with nothing stored.
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
		super.doCommit(status);
	}
}
