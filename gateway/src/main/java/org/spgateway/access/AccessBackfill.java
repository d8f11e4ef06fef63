package org.spgateway.access;

import ca.uhn.fhir.context.FhirContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.security.AccessPolicy;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Derives the access rows of resources stored before {@code resource_access} existed, at start-up, on a
 * background thread, in key order (a referral before its Task, a Task before what refers to it), a batch per
 * transaction, remembering where it got to (one instance at a time: the progress row is locked per batch).
 * Until it has finished, partners do not see those older resources: the gap fails closed. A database created
 * with the table has nothing to do.
 */
public class AccessBackfill implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(AccessBackfill.class);
	private static final int BATCH = 200;

	private final JdbcTemplate jdbc;
	private final TransactionTemplate transactions;
	private final FhirContext fhirContext;
	private final ResourceAccess access;
	private final AccessRecords records;
	private final AccessPolicy policy;
	private volatile Thread worker;

	public AccessBackfill(JdbcTemplate jdbc, TransactionTemplate transactions, FhirContext fhirContext, ResourceAccess access,
			AccessRecords records, AccessPolicy policy) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.fhirContext = fhirContext;
		this.access = access;
		this.records = records;
		this.policy = policy;
	}

	/** Starts the work in the background when there is any. */
	public void start() {
		Boolean done = jdbc.queryForObject("SELECT done FROM resource_access_backfill WHERE id = 1", Boolean.class);
		if (Boolean.TRUE.equals(done)) {
			return;
		}
		worker = new Thread(this::runQuietly, "access-backfill");
		worker.setDaemon(true);
		worker.start();
	}

	private void runQuietly() {
		try {
			int total = 0;
			int n;
			while (!Thread.currentThread().isInterrupted() && (n = batch()) > 0) {
				total += n;
			}
			log.info("Access rows derived for {} resources stored before per-organisation access", total);
		} catch (RuntimeException e) {
			log.warn("Deriving access rows for older resources stopped ({}); it carries on at the next start", e.getClass().getSimpleName());
		}
	}

	/** One batch; how many resources it covered (0 when finished). */
	int batch() {
		Integer n = transactions.execute(tx -> {
			Map<String, Object> progress = jdbc.queryForMap("SELECT after_pk, done FROM resource_access_backfill WHERE id = 1 FOR UPDATE");
			if (Boolean.TRUE.equals(progress.get("done"))) {
				return 0;
			}
			long after = ((Number) progress.get("after_pk")).longValue();
			List<Map<String, Object>> rows = jdbc.queryForList("SELECT r.res_pk, r.res_type, v.content FROM resource r"
					+ " JOIN resource_version v ON v.res_pk = r.res_pk AND v.version = r.version"
					+ " WHERE r.res_pk > ? AND r.origin = 'api' ORDER BY r.res_pk LIMIT ?", after, BATCH);
			for (Map<String, Object> row : rows) {
				long pk = ((Number) row.get("res_pk")).longValue();
				String type = (String) row.get("res_type");
				if (ResourceAccess.isPublic(type)) {
					continue;
				}
				Resource resource = (Resource) fhirContext.newJsonParser().parseResource((String) row.get("content"));
				// Who wrote it was never recorded; a Subscription's owner is unknown, so it gets what a caller-less one gets.
				Set<String> writer = "Subscription".equals(type) ? policy.ownerKeys(null) : Set.of();
				records.write(pk, type + "/" + resource.getIdElement().getIdPart(), access.derive(resource, writer));
			}
			long last = rows.isEmpty() ? after : ((Number) rows.get(rows.size() - 1).get("res_pk")).longValue();
			jdbc.update("UPDATE resource_access_backfill SET after_pk = ?, done = ? WHERE id = 1", last, rows.size() < BATCH);
			return rows.size();
		});
		return n == null ? 0 : n;
	}

	@Override
	public void close() {
		Thread t = worker;
		if (t != null) {
			t.interrupt();
		}
	}
}
