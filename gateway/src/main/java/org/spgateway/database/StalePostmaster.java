package org.spgateway.database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway killed hard (kill -9, power loss of the JVM only) leaves its embedded PostgreSQL running,
 * holding the data directory; the next start would wait for it and fail. This stops such a leftover
 * server cleanly (SIGTERM = smart shutdown, so nothing committed is lost) before starting a new one.
 */
final class StalePostmaster {

	private static final Logger log = LoggerFactory.getLogger(StalePostmaster.class);

	private StalePostmaster() {}

	static void stopIfRunning(Path clusterDir, Duration wait) throws IOException {
		Path pidFile = clusterDir.resolve("postmaster.pid");
		if (!Files.exists(pidFile)) {
			return;
		}
		List<String> lines = Files.readAllLines(pidFile);
		if (lines.isEmpty()) {
			return;
		}
		long pid;
		try {
			pid = Long.parseLong(lines.get(0).trim());
		} catch (NumberFormatException e) {
			return;
		}
		Optional<ProcessHandle> process = ProcessHandle.of(pid);
		boolean ours = process.flatMap(p -> p.info().commandLine())
				.map(cmd -> cmd.contains("postgres") && cmd.contains(clusterDir.toString()))
				.orElse(false);
		if (!ours) {
			return;
		}
		log.warn("An embedded PostgreSQL left by an earlier gateway (pid {}) still holds {}; stopping it", pid, clusterDir);
		process.get().destroy();
		try {
			process.get().onExit().get(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
		} catch (Exception e) {
			throw new IllegalStateException("PostgreSQL pid " + pid + " still holds " + clusterDir + "; stop it and start the gateway again", e);
		}
	}
}
