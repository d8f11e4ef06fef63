package org.spgateway.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's own PostgreSQL process, watched while the gateway runs: if it stops (killed, crashed,
 * stopped by hand), it is started again on the same data directory and port, so the connection pool
 * reconnects and the gateway recovers without a restart, as it does when an external database comes
 * back. Until then requests are answered 503 (see {@link DatabaseFaults}).
 */
public final class EmbeddedPostmaster implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(EmbeddedPostmaster.class);
	/** How often the process is looked at: a check is a process-table lookup, so it can be frequent. */
	private static final Duration CHECK_EVERY = Duration.ofSeconds(2);

	private final EmbeddedPostgres.Builder builder;
	private final Path clusterDir;
	private final ScheduledExecutorService watch;
	private EmbeddedPostgres postgres;
	private ProcessHandle process;
	private boolean closed;

	EmbeddedPostmaster(EmbeddedPostgres.Builder builder, Path clusterDir) throws IOException {
		this.builder = builder;
		this.clusterDir = clusterDir;
		this.postgres = builder.start();
		this.process = postmasterProcess();
		this.watch = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread t = new Thread(r, "embedded-postgres-watch");
			t.setDaemon(true);
			return t;
		});
		watch.scheduleWithFixedDelay(this::check, CHECK_EVERY.toMillis(), CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** The database's URL, naming no user (zonky's names the superuser). */
	public synchronized String jdbcUrl(String database) {
		return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
	}

	public synchronized int port() {
		return postgres.getPort();
	}

	/** Starts the server again if its process has gone; a failed start is tried again at the next check. */
	synchronized void check() {
		if (closed || process != null && process.isAlive()) {
			return;
		}
		log.error("The embedded PostgreSQL ({}) has stopped; starting it again on {}",
				process == null ? "not running" : "pid " + process.pid(), clusterDir);
		try {
			postgres.close();
		} catch (IOException | RuntimeException e) {
			// It is gone already; closing releases the data directory's lock for the new server.
			log.debug("Closing the stopped embedded PostgreSQL: {}", e.getMessage());
		}
		try {
			postgres = builder.start();
			process = postmasterProcess();
			log.warn("Embedded PostgreSQL started again on port {}", postgres.getPort());
		} catch (IOException | RuntimeException e) {
			// E.g. backends of a killed server still hold its shared memory for a moment.
			log.error("The embedded PostgreSQL could not be started again ({}); trying again in {} s", e.getMessage(), CHECK_EVERY.toSeconds());
			process = null;
		}
	}

	/** The postmaster named in the cluster's postmaster.pid, or null if there is none. */
	private ProcessHandle postmasterProcess() {
		try {
			List<String> lines = Files.readAllLines(clusterDir.resolve("postmaster.pid"));
			return lines.isEmpty() ? null : ProcessHandle.of(Long.parseLong(lines.get(0).trim())).orElse(null);
		} catch (IOException | NumberFormatException e) {
			return null;
		}
	}

	@Override
	public void close() throws IOException {
		watch.shutdownNow();
		synchronized (this) {
			closed = true;
			postgres.close();
		}
	}
}
