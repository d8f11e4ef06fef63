package org.spgateway.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time used by the gateway's JVM, by PostgreSQL (every {@code postgres} process on the machine)
 * and by the benchmark itself (the load generator and the notification receiver), read from
 * {@code /proc}: where each request's CPU goes when they all share the machine. Linux only; elsewhere
 * every reading is zero and the report leaves the table out.
 */
final class ProcessCpu {

	/** USER_HZ: the unit of /proc/[pid]/stat times, 100 on every mainstream Linux build. */
	private static final double TICKS_PER_SECOND = 100;
	private static final Path PROC = Path.of("/proc");

	record Reading(double gateway, double postgres, double benchmark) {
		Reading minus(Reading earlier) {
			return new Reading(gateway - earlier.gateway, postgres - earlier.postgres, benchmark - earlier.benchmark);
		}

		boolean available() {
			return gateway + postgres + benchmark > 0;
		}
	}

	private final long gatewayPid;

	/** @param gatewayPid the server's process id, or -1 when measuring a gateway started elsewhere */
	ProcessCpu(long gatewayPid) {
		this.gatewayPid = gatewayPid;
	}

	/** CPU seconds used so far by each group. */
	Reading read() {
		if (!Files.isDirectory(PROC)) {
			return new Reading(0, 0, 0);
		}
		long self = ProcessHandle.current().pid();
		double gateway = 0;
		double postgres = 0;
		double benchmark = 0;
		try (Stream<Path> entries = Files.list(PROC)) {
			for (Path dir : (Iterable<Path>) entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))::iterator) {
				long pid = Long.parseLong(dir.getFileName().toString());
				if (pid == gatewayPid) {
					gateway += seconds(dir);
				} else if (pid == self) {
					benchmark += seconds(dir);
				} else if (isPostgres(dir)) {
					postgres += seconds(dir);
				}
			}
		} catch (IOException e) {
			return new Reading(0, 0, 0);
		}
		return new Reading(gateway, postgres, benchmark);
	}

	private static boolean isPostgres(Path dir) {
		try {
			String cmdline = new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8);
			return cmdline.startsWith("postgres") || cmdline.contains("/bin/postgres");
		} catch (IOException | RuntimeException e) {
			return false; // the process ended while we looked
		}
	}

	/** utime + stime, fields 14 and 15 of /proc/[pid]/stat, counted after the command name's closing bracket. */
	private static double seconds(Path dir) {
		try {
			String stat = Files.readString(dir.resolve("stat"));
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
		} catch (IOException | RuntimeException e) {
			return 0;
		}
	}
}
