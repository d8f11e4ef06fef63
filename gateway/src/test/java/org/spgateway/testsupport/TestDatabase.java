package org.spgateway.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL (zonky embedded binaries) per test JVM, started on first use and stopped when
 * the JVM exits. Each caller gets a fresh, empty database on it, so test classes never see each
 * other's data, while gateways under test (and restarts of them) can share one database by URL.
 * Each database belongs to a role of its own that is not a superuser, as in production; its URL names
 * that role and its password, so whoever connects with it (a gateway, a test's own SQL) is that role.
 */
public final class TestDatabase {

	private static final AtomicInteger COUNTER = new AtomicInteger();
	private static EmbeddedPostgres postgres;

	private TestDatabase() {}

	/** A JDBC URL for a new empty database, owned by a new role of its own (named in the URL). */
	public static synchronized String newDatabase() {
		return newDatabaseOn(server(), "test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet());
	}

	/**
	 * Creates, on a PostgreSQL a test started itself, a role named {@code name} (login, no superuser, no
	 * CREATEROLE, a random password) and a database of the same name that it owns; the URL names both.
	 */
	public static String newDatabaseOn(EmbeddedPostgres pg, String name) {
		String password = UUID.randomUUID().toString();
		try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
			s.execute("CREATE ROLE " + name + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '" + password + "'");
			s.execute("CREATE DATABASE " + name + " OWNER " + name);
		} catch (SQLException e) {
			throw new IllegalStateException("Could not create test database " + name, e);
		}
		return "jdbc:postgresql://localhost:" + pg.getPort() + "/" + name + "?user=" + name + "&password=" + password;
	}

	/** The same database as {@code url} (one of {@link #newDatabase}'s), reached as the superuser {@code postgres}. */
	public static String asSuperuser(String url) {
		return url.replaceAll("\\?user=.*$", "?user=postgres");
	}

	private static EmbeddedPostgres server() {
		if (postgres == null) {
			try {
				Path dir = Files.createTempDirectory("sp-gateway-test-pg");
				postgres = EmbeddedPostgres.builder()
						.setDataDirectory(dir.resolve("data"))
						.setCleanDataDirectory(true)
						.setServerConfig("max_connections", "300")
						.setServerConfig("fsync", "off")
						.setServerConfig("synchronous_commit", "off")
						.start();
			} catch (IOException e) {
				throw new IllegalStateException("Could not start the test PostgreSQL", e);
			}
			EmbeddedPostgres started = postgres;
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					started.close();
				} catch (IOException ignored) {
					// the JVM is going away
				}
			}));
		}
		return postgres;
	}
}
