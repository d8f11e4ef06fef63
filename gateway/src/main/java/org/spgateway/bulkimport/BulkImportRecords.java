package org.spgateway.bulkimport;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.springframework.jdbc.core.JdbcTemplate;

/** The tables {@code bulk_import_job}, {@code bulk_import_file} and {@code bulk_import_error} (V120). */
public class BulkImportRecords {

	/** Where a job is: queued and running jobs are picked up again by a restarted gateway. */
	public enum Status {
		QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED;

		String code() {
			return name().toLowerCase(Locale.ROOT);
		}

		static Status of(String code) {
			return valueOf(code.toUpperCase(Locale.ROOT));
		}
	}

	public record Job(String id, String clientId, String caller, String requestId, String correlationId, Status status, Instant created,
			Instant finished, String failure) {}

	public record File(int number, String type, String url, Integer totalLines, int linesDone, int imported, int refused) {

		public boolean done() {
			return totalLines != null && linesDone >= totalLines;
		}
	}

	private final JdbcTemplate jdbc;

	public BulkImportRecords(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** Records a new job and its inputs, queued. */
	public void create(Job job, List<ImportInputs.Input> inputs) {
		jdbc.update("INSERT INTO bulk_import_job (job_id, client_id, caller, request_id, correlation_id, status) VALUES (?, ?, ?, ?, ?, ?)",
				job.id(), job.clientId(), job.caller(), job.requestId(), job.correlationId(), Status.QUEUED.code());
		for (int i = 0; i < inputs.size(); i++) {
			jdbc.update("INSERT INTO bulk_import_file (job_id, file_no, res_type, url) VALUES (?, ?, ?, ?)", job.id(), i, inputs.get(i).type(),
					inputs.get(i).url());
		}
	}

	public Optional<Job> find(String jobId) {
		return jdbc.query("SELECT job_id, client_id, caller, request_id, correlation_id, status, created, finished, failure FROM bulk_import_job"
				+ " WHERE job_id = ?", (rs, n) -> job(rs), jobId).stream().findFirst();
	}

	/**
	 * Locks the job's row until the transaction ends and returns its status: a batch holds it while it stores, so a
	 * cancellation waits for the batch in progress and nothing is stored after it has been answered.
	 */
	public Status lockStatus(String jobId) {
		return Status.of(jdbc.queryForObject("SELECT status FROM bulk_import_job WHERE job_id = ? FOR UPDATE", String.class, jobId));
	}

	/** Jobs not finished, oldest first: what a gateway picks up when it starts. */
	public List<String> unfinished() {
		return jdbc.queryForList("SELECT job_id FROM bulk_import_job WHERE status IN ('queued', 'running') ORDER BY created", String.class);
	}

	public List<File> files(String jobId) {
		return jdbc.query("SELECT file_no, res_type, url, total_lines, lines_done, imported, refused FROM bulk_import_file WHERE job_id = ?"
				+ " ORDER BY file_no", (rs, n) -> new File(rs.getInt(1), rs.getString(2), rs.getString(3), (Integer) rs.getObject(4), rs.getInt(5),
						rs.getInt(6), rs.getInt(7)), jobId);
	}

	/** Marks a queued job running; false when it is no longer queued or running (cancelled, finished). */
	public boolean start(String jobId) {
		return jdbc.update("UPDATE bulk_import_job SET status = 'running' WHERE job_id = ? AND status IN ('queued', 'running')", jobId) > 0;
	}

	public void complete(String jobId) {
		jdbc.update("UPDATE bulk_import_job SET status = 'completed', finished = now() WHERE job_id = ? AND status = 'running'", jobId);
	}

	/** Cancels an unfinished job; false when it had already finished. */
	public boolean cancel(String jobId) {
		return jdbc.update("UPDATE bulk_import_job SET status = 'cancelled', finished = now() WHERE job_id = ? AND status IN ('queued', 'running')",
				jobId) > 0;
	}

	public void fail(String jobId, String failure) {
		jdbc.update("UPDATE bulk_import_job SET status = 'failed', finished = now(), failure = ? WHERE job_id = ? AND status IN ('queued', 'running')",
				failure, jobId);
	}

	public void totalLines(String jobId, int file, int lines) {
		jdbc.update("UPDATE bulk_import_file SET total_lines = ? WHERE job_id = ? AND file_no = ?", lines, jobId, file);
	}

	/** The committed progress of one file, read inside the batch's transaction (after {@link #lockStatus}). */
	public int linesDone(String jobId, int file) {
		return jdbc.queryForObject("SELECT lines_done FROM bulk_import_file WHERE job_id = ? AND file_no = ?", Integer.class, jobId, file);
	}

	/** A batch's progress, in the batch's own transaction. */
	public void advance(String jobId, int file, int linesDone, int imported, int refused) {
		jdbc.update("UPDATE bulk_import_file SET lines_done = ?, imported = imported + ?, refused = refused + ? WHERE job_id = ? AND file_no = ?",
				linesDone, imported, refused, jobId, file);
	}

	/** The refused lines of a batch, in the batch's own transaction. */
	public void refusals(String jobId, int file, List<Refusal> refusals) {
		if (refusals.isEmpty()) {
			return;
		}
		jdbc.batchUpdate("INSERT INTO bulk_import_error (job_id, file_no, line_no, outcome) VALUES (?, ?, ?, ?)",
				refusals.stream().map(r -> new Object[] {jobId, file, r.line(), r.outcome()}).toList());
	}

	/** One refused line and its OperationOutcome as JSON. */
	public record Refusal(int line, String outcome) {}

	/** Every refused line's OperationOutcome of one input, by line, one at a time (an error file can be long). */
	public void eachRefusal(String jobId, int file, Consumer<String> outcome) {
		jdbc.query("SELECT outcome FROM bulk_import_error WHERE job_id = ? AND file_no = ? ORDER BY line_no", rs -> {
			outcome.accept(rs.getString(1));
		}, jobId, file);
	}

	public int refusedCount(String jobId) {
		return jdbc.queryForObject("SELECT count(*) FROM bulk_import_error WHERE job_id = ?", Integer.class, jobId);
	}

	/** Forgets finished jobs older than {@code retention}; how many. */
	public int forget(Duration retention) {
		return jdbc.update("DELETE FROM bulk_import_job WHERE finished < ?", Timestamp.from(Instant.now().minus(retention)));
	}

	private static Job job(ResultSet rs) throws SQLException {
		Timestamp finished = rs.getTimestamp(8);
		return new Job(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), Status.of(rs.getString(6)),
				rs.getTimestamp(7).toInstant(), finished == null ? null : finished.toInstant(), rs.getString(9));
	}
}
