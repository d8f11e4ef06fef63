package org.spgateway.database;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the embedded PostgreSQL safe to connect to, at every start: the superuser {@code postgres} gets a
 * password, the application role {@link #ROLE} (no SUPERUSER, CREATEROLE, CREATEDB or replication) gets its
 * own and owns the gateway's database and every table in it (a data directory written by an earlier version,
 * whose tables {@code postgres} owned, is handed over), and {@code pg_hba.conf} then asks every connection for
 * a password (zonky's {@code initdb} trusts every local connection).
 */
final class EmbeddedRoles {

	static final String ROLE = "gateway";
	private static final Logger log = LoggerFactory.getLogger(EmbeddedRoles.class);
	private static final String HBA = """
			# Written by the gateway: every connection needs a password (scram-sha-256). The passwords are in
			# <data-dir>/database.credentials.
			local all all scram-sha-256
			host  all all 127.0.0.1/32 scram-sha-256
			host  all all ::1/128 scram-sha-256
			""";
	/** Hands every relation and routine in schema public to the role; a table's own sequences go with it. */
	private static final String OWNERSHIP = """
			DO $$
			DECLARE r record;
			BEGIN
			  FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relowner <> '%1$s'::regrole LOOP
			    EXECUTE format('ALTER %%s %%s OWNER TO %1$s',
			        CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, r.name);
			  END LOOP;
			  FOR r IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			           WHERE n.nspname = 'public' AND c.relkind = 'S' AND c.relowner <> '%1$s'::regrole
			             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')) LOOP
			    EXECUTE format('ALTER SEQUENCE %%s OWNER TO %1$s', r.name);
			  END LOOP;
			  FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
			           WHERE n.nspname = 'public' AND p.proowner <> '%1$s'::regrole LOOP
			    EXECUTE format('ALTER ROUTINE %%s OWNER TO %1$s', r.name);
			  END LOOP;
			END $$""".formatted(ROLE);

	private EmbeddedRoles() {}

	static void secure(int port, String database, EmbeddedCredentials credentials, Path clusterDir) {
		try {
			try (Connection admin = admin(port, "postgres", credentials).getConnection(); Statement s = admin.createStatement()) {
				s.execute("ALTER ROLE postgres PASSWORD '" + credentials.adminPassword() + "'");
				String attributes = " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '"
						+ credentials.gatewayPassword() + "'";
				boolean roleExists = exists(admin, "SELECT 1 FROM pg_roles WHERE rolname = ?", ROLE);
				s.execute((roleExists ? "ALTER ROLE " : "CREATE ROLE ") + ROLE + attributes);
				String quoted = "\"" + database.replace("\"", "") + "\"";
				if (!exists(admin, "SELECT 1 FROM pg_database WHERE datname = ?", database)) {
					s.execute("CREATE DATABASE " + quoted + " OWNER " + ROLE);
				} else if (!exists(admin, "SELECT 1 FROM pg_database WHERE datname = ? AND datdba = '" + ROLE + "'::regrole", database)) {
					log.warn("Handing the embedded database {} over to its own role {} (it was the superuser's)", database, ROLE);
					s.execute("ALTER DATABASE " + quoted + " OWNER TO " + ROLE);
				}
			}
			try (Connection admin = admin(port, database, credentials).getConnection(); Statement s = admin.createStatement()) {
				s.execute(OWNERSHIP);
			}
			Path hba = clusterDir.resolve("pg_hba.conf");
			if (!HBA.equals(Files.readString(hba, StandardCharsets.UTF_8))) {
				Files.writeString(hba, HBA, StandardCharsets.UTF_8);
				try (Connection admin = admin(port, "postgres", credentials).getConnection(); Statement s = admin.createStatement()) {
					s.execute("SELECT pg_reload_conf()");
				}
				log.info("The embedded PostgreSQL now asks every connection for a password");
			}
		} catch (SQLException e) {
			if ("28P01".equals(e.getSQLState())) {
				throw new DatabaseRefusal("The embedded PostgreSQL in " + clusterDir + " refused the password in "
						+ clusterDir.getParent().resolve(EmbeddedCredentials.FILE) + ": that file is not the one created with this data"
						+ " directory", "Restore it from the same backup as the data directory.");
			}
			throw new IllegalStateException("Could not set up the embedded database's role: " + e.getMessage(), e);
		} catch (IOException e) {
			throw new IllegalStateException("Could not write " + clusterDir.resolve("pg_hba.conf") + ": " + e.getMessage(), e);
		}
	}

	private static PGSimpleDataSource admin(int port, String database, EmbeddedCredentials credentials) {
		PGSimpleDataSource dataSource = new PGSimpleDataSource();
		dataSource.setServerNames(new String[] {"localhost"});
		dataSource.setPortNumbers(new int[] {port});
		dataSource.setDatabaseName(database);
		dataSource.setUser("postgres");
		dataSource.setPassword(credentials.adminPassword());
		return dataSource;
	}

	private static boolean exists(Connection connection, String sql, String value) throws SQLException {
		try (PreparedStatement query = connection.prepareStatement(sql)) {
			query.setString(1, value);
			try (ResultSet rs = query.executeQuery()) {
				return rs.next();
			}
		}
	}
}
