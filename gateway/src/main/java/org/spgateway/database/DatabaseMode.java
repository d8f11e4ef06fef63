package org.spgateway.database;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps sandbox data and real data apart. The first gateway to start on a database records its mode there;
 * later ones must be in the same mode. Sandbox mode gives demo clients wide access and seeds a demo
 * directory, so it must never open a database with real patients in it; and a gateway for real use must not
 * serve demo referrals and tester-written data as if they were real.
 *
 * <p>A database from before modes were recorded is marked by the first start of this version: for real use if it
 * holds any resource besides the conformance resources (they could be real), else with the starting gateway's mode;
 * a sandbox gateway therefore refuses such a database when it holds data.
 */
final class DatabaseMode {

	private static final Logger log = LoggerFactory.getLogger(DatabaseMode.class);

	private DatabaseMode() {}

	static void check(JdbcTemplate jdbc, TransactionTemplate transactions, boolean sandbox) {
		boolean marked = Boolean.TRUE.equals(transactions.execute(status -> {
			// One start at a time decides, when several instances start together on a new database.
			jdbc.execute("LOCK TABLE gateway_mode IN EXCLUSIVE MODE");
			Boolean recorded = jdbc.query("SELECT sandbox FROM gateway_mode", rs -> rs.next() ? rs.getBoolean(1) : null);
			if (recorded != null) {
				return recorded;
			}
			boolean holdsData = Boolean.TRUE.equals(jdbc.queryForObject(
					"SELECT EXISTS (SELECT 1 FROM resource WHERE origin <> 'conformance')", Boolean.class));
			boolean mode = sandbox && !holdsData;
			jdbc.update("INSERT INTO gateway_mode (sandbox) VALUES (?)", mode);
			log.info("This database is now marked for {}", mode ? "sandbox (demo) data" : "real data");
			return mode;
		}));
		if (sandbox && !marked) {
			throw new DatabaseRefusal("Sandbox mode does not start on this database: it holds data of a gateway that was not in"
					+ " sandbox mode, which may be real patients' data", "Start the sandbox on a database of its own (for the embedded"
					+ " database, another gateway.data-dir, e.g. --gateway.data-dir=./sandbox-data).");
		}
		if (!sandbox && marked) {
			throw new DatabaseRefusal("This database holds sandbox (demo) data, written by a gateway in sandbox mode, so a gateway"
					+ " for real use does not start on it", "Start with gateway.sandbox=true, or on a database of its own (for the embedded"
					+ " database, another gateway.data-dir).");
		}
	}
}
