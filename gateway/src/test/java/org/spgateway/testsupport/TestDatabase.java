package org.spgateway.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL (zonky embedded binaries) per test JVM, started on first use and stopped when
 * the JVM exits. Each caller gets a fresh, empty database on it, so test classes never see each
 * other's data, while gateways under test (and restarts of them) can share one database by URL.
 */
public final class TestDatabase {

	private static final AtomicInteger COUNTER = new AtomicInteger();
	private static EmbeddedPostgres postgres;

	private TestDatabase() {}

	/** A JDBC URL for a new empty database. */
	public static synchronized String newDatabase() {
		EmbeddedPostgres pg = server();
		String name = "test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
		try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
			s.execute("CREATE DATABASE " + name);
		} catch (SQLException e) {
			throw new IllegalStateException("Could not create test database " + name, e);
		}
		return pg.getJdbcUrl("postgres", name);
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
