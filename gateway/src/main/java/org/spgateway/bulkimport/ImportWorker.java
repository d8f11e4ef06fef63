package org.spgateway.bulkimport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.audit.BackgroundAudit;
import org.spgateway.database.DatabaseFaults;
import org.spgateway.fhir.LogSafe;
import org.spgateway.resources.WriteContext;
import org.spgateway.security.AccessPolicy;
import org.spgateway.security.Caller;
import org.spgateway.security.RequestGate;
import org.spgateway.security.Role;
import org.spgateway.store.LocalReference;
import org.spgateway.store.StoreStatistics;

/**
 * Runs import jobs, one at a time per gateway, each file in dependency order and each file in batches
 * ({@link ImportBatches}). Whatever stops it (a crash, a restart, a lost database), a job carries on from its last
 * committed batch: a gateway picks up every unfinished job when it starts, and several instances on one database take
 * turns batch by batch under the job's row lock. Only a problem with an input itself (it cannot be fetched, or changed
 * while being imported) fails a job.
 */
public class ImportWorker implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(ImportWorker.class);
	private static final ObjectMapper JSON = new ObjectMapper();
	private static final int ATTEMPTS = 3;
	private static final Duration PAUSE = Duration.ofSeconds(5);

	private final BulkImportRecords records;
	private final ImportBatches batches;
	private final NdjsonFetcher fetcher;
	private final AccessPolicy policy;
	private final BulkImportProperties properties;
	private final Path spool;
	private final StoreStatistics statistics;
	private final ExecutorService jobs;
	private final Set<String> queued = ConcurrentHashMap.newKeySet();
	private volatile boolean stopping;

	ImportWorker(BulkImportRecords records, ImportBatches batches, NdjsonFetcher fetcher, AccessPolicy policy, BulkImportProperties properties,
			Path spool, StoreStatistics statistics) {
		this.records = records;
		this.batches = batches;
		this.fetcher = fetcher;
		this.policy = policy;
		this.properties = properties;
		this.spool = spool;
		this.statistics = statistics;
		this.jobs = Executors.newSingleThreadExecutor(r -> {
			Thread t = new Thread(r, "bulk-import");
			t.setDaemon(true);
			return t;
		});
	}

	/** Queues a job (once: a job already queued here is not queued twice). */
	public void submit(String jobId) {
		if (!stopping && queued.add(jobId)) {
			jobs.submit(() -> {
				try {
					runQuietly(jobId);
				} finally {
					queued.remove(jobId);
				}
			});
		}
	}

	/** At start-up: forgets jobs past their retention and carries on with every unfinished one. */
	public void resumeUnfinished() {
		int forgotten = records.forget(properties.getRetention());
		if (forgotten > 0) {
			log.info("Forgot {} bulk import jobs finished more than {} ago", forgotten, properties.getRetention());
		}
		List<String> unfinished = records.unfinished();
		if (!unfinished.isEmpty()) {
			log.info("Carrying on with {} unfinished bulk import job(s)", unfinished.size());
		}
		unfinished.forEach(this::submit);
	}

	private void runQuietly(String jobId) {
		int failures = 0;
		while (!stopping) {
			try {
				run(jobId);
				return;
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return;
			} catch (NdjsonFetcher.FetchFailure e) {
				log.warn("Bulk import {} failed: an input could not be fetched", jobId);
				records.fail(jobId, e.getMessage());
				return;
			} catch (RuntimeException e) {
				if (stopping) {
					return;
				}
				boolean database = DatabaseFaults.of(e).isPresent();
				if (!database && ++failures >= ATTEMPTS) {
					log.error("Bulk import {} stopped on an unexpected error", jobId, LogSafe.redacted(e));
					records.fail(jobId, "The import stopped on an unexpected error in the gateway; what its committed batches stored stays."
							+ " Ask the gateway's operator (job " + jobId + ")");
					return;
				}
				log.warn("Bulk import {}: a batch failed ({}); carrying on from the last committed batch in {} s", jobId,
						database ? "database unavailable" : e.getClass().getSimpleName(), PAUSE.toSeconds());
				try {
					Thread.sleep(PAUSE.toMillis());
				} catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	private void run(String jobId) throws InterruptedException, NdjsonFetcher.FetchFailure {
		BulkImportRecords.Job job = records.find(jobId).orElse(null);
		if (job == null || !records.start(jobId)) {
			return;
		}
		Caller caller = ImportCaller.read(job.caller());
		WriteContext context = new WriteContext(null, policy.scopeFor(caller), false);
		// A provider (any organisation-bound caller) imports its own caseload; a tester in sandbox mode loads anything.
		Set<String> callerKeys = caller.role() == Role.TESTER ? Set.of() : AccessPolicy.organisationKeys(caller);
		List<BulkImportRecords.File> files = records.files(jobId);
		JobIds ids = new JobIds();
		for (BulkImportRecords.File file : files) {
			if (file.done()) {
				continue;
			}
			Path local = spooled(jobId, file);
			int lines = fetcher.fetch(file.url(), local);
			if (file.totalLines() != null && file.totalLines() != lines) {
				throw new NdjsonFetcher.FetchFailure("The input " + file.url() + " changed while it was being imported (" + file.totalLines()
						+ " lines before, " + lines + " now): an input must stay the same until its job has finished");
			}
			records.totalLines(jobId, file.number(), lines);
			scan(local, ids);
		}
		ids.seal();
		ImportBatches.Job batchJob = new ImportBatches.Job(jobId, context, callerKeys, ids);
		for (BulkImportRecords.File file : records.files(jobId)) {
			if (!file.done() && !importFile(batchJob, job, caller, file)) {
				return;
			}
		}
		// Before the job reads completed: a client that starts its work when it sees that gets plans from the loaded tables.
		statistics.refresh();
		records.complete(jobId);
		files.forEach(f -> deleteQuietly(spooled(jobId, f)));
		log.info("Bulk import {} completed", jobId);
	}

	/** Stores one file batch by batch from its committed progress; false when the job stopped (cancelled). */
	private boolean importFile(ImportBatches.Job batchJob, BulkImportRecords.Job job, Caller caller, BulkImportRecords.File file)
			throws InterruptedException {
		Path local = spooled(job.id(), file);
		int done = file.linesDone();
		try (BufferedReader reader = Files.newBufferedReader(local, StandardCharsets.UTF_8)) {
			for (int i = 0; i < done; i++) {
				reader.readLine();
			}
			while (!stopping) {
				List<ImportBatches.Raw> lines = new ArrayList<>();
				String text;
				while (lines.size() < properties.getBatchSize() && (text = reader.readLine()) != null) {
					lines.add(new ImportBatches.Raw(done + lines.size() + 1, text));
				}
				if (lines.isEmpty()) {
					return true;
				}
				int first = done;
				ImportBatches.Result result = RequestGate.actingAs(caller, () -> BackgroundAudit.recording(caller, job.requestId(),
						job.correlationId(), "$import", "/$import", () -> runBatch(batchJob, file, first, lines)));
				if (result.stopped()) {
					return false;
				}
				if (result.alreadyDone()) {
					// Another instance stored it: carry on from the progress it committed.
					return importFileFrom(batchJob, job, caller, file);
				}
				done += lines.size();
			}
			return false;
		} catch (IOException e) {
			throw new IllegalStateException("The spooled input could not be read", e);
		}
	}

	private boolean importFileFrom(ImportBatches.Job batchJob, BulkImportRecords.Job job, Caller caller, BulkImportRecords.File file)
			throws InterruptedException {
		BulkImportRecords.File now = records.files(job.id()).stream().filter(f -> f.number() == file.number()).findFirst().orElseThrow();
		return now.done() || importFile(batchJob, job, caller, now);
	}

	private ImportBatches.Result runBatch(ImportBatches.Job job, BulkImportRecords.File file, int first, List<ImportBatches.Raw> lines) {
		try {
			return batches.run(job, file, first, lines);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while validating a batch", e);
		}
	}

	/** Notes each line's Type/id, and the referral of each Task, without validating anything yet. */
	private static void scan(Path file, JobIds ids) {
		try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
			String line;
			while ((line = reader.readLine()) != null) {
				if (line.isBlank()) {
					continue;
				}
				JsonNode node;
				try {
					node = JSON.readTree(line);
				} catch (IOException unreadable) {
					continue;
				}
				String type = node.path("resourceType").asText(null);
				String id = node.path("id").asText(null);
				if (type != null && id != null) {
					ids.addId(type, id);
				}
				if ("Task".equals(type)) {
					LocalReference focus = LocalReference.parse(node.path("focus").path("reference").asText(null));
					if (focus != null && "ServiceRequest".equals(focus.type())) {
						ids.addFocus(focus.id());
					}
				}
			}
		} catch (IOException e) {
			throw new IllegalStateException("The spooled input could not be read", e);
		}
	}

	private Path spooled(String jobId, BulkImportRecords.File file) {
		return spool.resolve(jobId + "-" + file.number() + ".ndjson");
	}

	private static void deleteQuietly(Path path) {
		try {
			Files.deleteIfExists(path);
		} catch (IOException e) {
			log.warn("Could not delete a spooled bulk import input: {}", e.getClass().getSimpleName());
		}
	}

	@Override
	public void close() {
		stopping = true;
		jobs.shutdownNow();
	}
}
