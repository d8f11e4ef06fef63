package org.spgateway.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * CPU time used by the gateway's JVM, by its PostgreSQL (the postmaster started on the gateway's data
 * directory and its backends; every {@code postgres} process on the machine for a gateway started
 * elsewhere, whose data directory the benchmark does not know) and by the benchmark itself (the load generator and the notification receiver), read from
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
	private final String dataDir;

	/**
	 * @param gatewayPid the server's process id, or -1 when measuring a gateway started elsewhere
	 * @param dataDir the server's data directory (its embedded PostgreSQL's cluster is under it), or null: then every
	 *     PostgreSQL on the machine is counted, which on a shared machine includes other people's databases
	 */
	ProcessCpu(long gatewayPid, String dataDir) {
		this.gatewayPid = gatewayPid;
		this.dataDir = dataDir;
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
		List<Path> postgresProcesses = new ArrayList<>();
		Set<String> postmasters = new HashSet<>();
		try (Stream<Path> entries = Files.list(PROC)) {
			for (Path dir : (Iterable<Path>) entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))::iterator) {
				long pid = Long.parseLong(dir.getFileName().toString());
				if (pid == gatewayPid) {
					gateway += seconds(dir);
				} else if (pid == self) {
					benchmark += seconds(dir);
				} else {
					String cmdline = cmdline(dir);
					if (cmdline.startsWith("postgres") || cmdline.contains("/bin/postgres")) {
						postgresProcesses.add(dir);
						if (dataDir != null && cmdline.contains(dataDir)) {
							postmasters.add(dir.getFileName().toString());
						}
					}
				}
			}
		} catch (IOException e) {
			return new Reading(0, 0, 0);
		}
		for (Path dir : postgresProcesses) {
			if (dataDir == null || postmasters.contains(dir.getFileName().toString()) || postmasters.contains(parent(dir))) {
				postgres += seconds(dir);
			}
		}
		return new Reading(gateway, postgres, benchmark);
	}

	private static String cmdline(Path dir) {
		try {
			return new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8);
		} catch (IOException | RuntimeException e) {
			return ""; // the process ended while we looked
		}
	}

	/** The parent's process id, field 4 of /proc/[pid]/stat (after the command name's closing bracket). */
	private static String parent(Path dir) {
		try {
			String stat = Files.readString(dir.resolve("stat"));
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			return fields[1];
		} catch (IOException | RuntimeException e) {
			return "";
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
