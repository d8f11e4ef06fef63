package org.spgateway.audit;

import ca.uhn.fhir.context.FhirContext;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.spgateway.security.Caller;
import org.spgateway.security.OrganisationId;
import org.spgateway.security.Role;
import org.spgateway.testsupport.TestDatabase;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What the audit writer costs per event, measured alone: the writer's own thread and its PostgreSQL backend (one connection,
 * whose process is read in {@code /proc}), appending batches of read events as the benchmark's reads make them, on a fresh
 * database migrated as the gateway migrates it. Paced benchmarks see the writer's cost only as the difference of two noisy runs;
 * this sees it directly, so that a change to the trail's table can be judged in one run (docs/performance.md). Linux only.
 *
 * <pre>
 * mvn -B -q -o -pl gateway -Pbenchmark exec:java -Dbenchmark.args="--audit-writer=60000 [--batch=75] \
 *   [--migrations=filesystem:/path/to/extra] [--url=jdbc:postgresql://...]"
 * </pre>
 */
public final class AuditWriterCost {

	private AuditWriterCost() {}

	/** The same from a plain {@code java} command line ({@code --audit-writer=60000 --batch=75 ...}), e.g. on an older checkout. */
	public static void main(String[] args) throws Exception {
		Map<String, String> options = new HashMap<>();
		for (String arg : args) {
			int equals = arg.indexOf('=');
			options.put(arg.substring(2, equals), arg.substring(equals + 1));
		}
		run(options);
	}

	/** {@code audit-writer}: how many events to measure (a third as many again warm up first). */
	public static void run(Map<String, String> options) throws Exception {
		int events = Integer.parseInt(options.get("audit-writer"));
		int batch = Integer.parseInt(options.getOrDefault("batch", "75"));
		String extra = options.get("migrations");
		// --url: an empty database on another PostgreSQL (a server built with lz4, say); otherwise a new one on the tests' own.
		String url = options.get("url");
		url = url != null ? url : TestDatabase.newDatabase();
		Flyway.configure().dataSource(url, null, null)
				.locations(extra == null ? new String[] {"classpath:db/migration"} : new String[] {"classpath:db/migration", extra}).load().migrate();
		SingleConnectionDataSource connection = new SingleConnectionDataSource(url, true);
		JdbcTemplate jdbc = new JdbcTemplate(connection);
		TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(connection));
		long backend = jdbc.queryForObject("SELECT pg_backend_pid()", Long.class);
		AuditProperties settings = new AuditProperties();
		settings.setBatchSize(batch);
		settings.setQueueCapacity(batch + 1);
		AuditWriter writer = new AuditWriter(jdbc, transactions, FhirContext.forR4Cached(), settings);
		AuditEvents factory = new AuditEvents(settings.getObserver());
		Caller caller = new Caller("demo-provider", Role.PROVIDER, List.of(new OrganisationId("https://fhir.nhs.uk/Id/ods-organization-code",
				"X99901")), Set.of("system/*.read"), false);

		append(writer, factory, caller, events / 3, batch); // warm-up: the JIT, the table's first pages
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
		long javaBefore = threads.getCurrentThreadCpuTime();
		long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
		double postgresBefore = cpuSeconds(backend);
		Building building = append(writer, factory, caller, events, batch);
		double java = (threads.getCurrentThreadCpuTime() - javaBefore - building.cpuNanos()) / 1e3 / events;
		double allocated = (double) (threads.getCurrentThreadAllocatedBytes() - allocatedBefore - building.bytes()) / events;
		double postgres = (cpuSeconds(backend) - postgresBefore) * 1e6 / events;
		long rows = jdbc.queryForObject("SELECT count(*) FROM audit_event", Long.class);
		long bytes = jdbc.queryForObject("SELECT pg_total_relation_size('audit_event')", Long.class);
		System.out.printf(Locale.ROOT, "%d events in batches of %d: writer thread %.1f us and %.0f bytes allocated, PostgreSQL backend %.1f us"
				+ " an event; audit_event with its indexes %.0f bytes an event%n", events, batch, java, allocated, postgres, (double) bytes / rows);
		connection.destroy();
	}

	/** What making the events (the requests' part, not the writer's) took of this thread. */
	private record Building(long cpuNanos, long bytes) {}

	/** Appends {@code n} Patient reads' events, a batch at a time. */
	private static Building append(AuditWriter writer, AuditEvents factory, Caller caller, int n, int batch) {
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
		long building = 0;
		long bytes = 0;
		for (int done = 0; done < n; done += batch) {
			long start = threads.getCurrentThreadCpuTime();
			long allocated = threads.getCurrentThreadAllocatedBytes();
			List<AuditEventJson.Event> next = new ArrayList<>(batch);
			for (int i = 0; i < batch; i++) {
				RequestAudit request = new RequestAudit(Instant.now(), UUID.randomUUID().toString(), UUID.randomUUID().toString(),
						"127.0.0.1", "127.0.0.1:8080", "GET", "/fhir/Patient/" + (done + i), null);
				request.interaction = "read";
				request.resourceType = "Patient";
				request.resourceId = UUID.randomUUID().toString();
				request.caller = caller;
				next.add(factory.rest(request, 200, List.of()));
			}
			building += threads.getCurrentThreadCpuTime() - start;
			bytes += threads.getCurrentThreadAllocatedBytes() - allocated;
			next.forEach(writer::enqueue);
			writer.flush(false);
		}
		return new Building(building, bytes);
	}

	/** utime + stime of a process, in seconds (fields 14 and 15 of /proc/[pid]/stat). */
	private static double cpuSeconds(long pid) throws Exception {
		String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
	}
}
