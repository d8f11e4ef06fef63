package org.spgateway.store;

import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.postgresql.jdbc.PgStatement;
import org.spgateway.fhir.RequestDeadline;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The JdbcTemplate every store uses: a statement run for a request gets what remains of the request's
 * time budget as its timeout, to the millisecond (PostgreSQL's driver cancels it on the server, so the
 * connection is freed too), and none starts once the budget is spent.
 */
public class BudgetedJdbcTemplate extends JdbcTemplate {

	public BudgetedJdbcTemplate(DataSource dataSource) {
		super(dataSource);
	}

	/**
	 * Also sends the transaction's held writes ({@link TransactionWrites}) before any other statement runs in
	 * it, so that every statement sees what the transaction wrote before it.
	 */
	@Override
	protected void applyStatementSettings(Statement statement) throws SQLException {
		TransactionWrites.sendHeld(this);
		super.applyStatementSettings(statement);
		long left = RequestDeadline.remainingMillis();
		if (left > 0 && statement.isWrapperFor(PgStatement.class)) {
			statement.unwrap(PgStatement.class).setQueryTimeoutMs(left);
		} else if (left > 0) {
			statement.setQueryTimeout((int) Math.min(Integer.MAX_VALUE, (left + 999) / 1000));
		}
	}
}
