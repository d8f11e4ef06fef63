package org.spgateway.bulkimport;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** {@code gateway.bulk-import.*}: {@code $import} of NDJSON files (docs/bulk-import.md). */
@ConfigurationProperties(prefix = "gateway.bulk-import")
public class BulkImportProperties {

	/**
	 * Lines per batch: each batch is validated, then stored in one database transaction with its progress. 500 keeps a
	 * batch's transaction under a couple of seconds on 2 cores while each multi-row statement still carries hundreds of rows.
	 */
	private int batchSize = 500;

	/** Threads validating a batch's lines at once; 0 means one per processor (validation is the CPU-bound part). */
	private int validationThreads = 0;

	/** The largest input file the gateway fetches; a larger one fails the job, saying so. */
	private DataSize maxFileSize = DataSize.ofGigabytes(2);

	/** How long fetching one input file may take. */
	private Duration fetchTimeout = Duration.ofMinutes(30);

	/** Where fetched input files are kept while their job runs; empty: a folder under the system's temporary directory. */
	private String spoolDir = "";

	/** How long a finished job's manifest and error file stay available. */
	private Duration retention = Duration.ofDays(7);

	public int getBatchSize() {
		return batchSize;
	}

	public void setBatchSize(int batchSize) {
		this.batchSize = batchSize;
	}

	public int getValidationThreads() {
		return validationThreads;
	}

	public void setValidationThreads(int validationThreads) {
		this.validationThreads = validationThreads;
	}

	public DataSize getMaxFileSize() {
		return maxFileSize;
	}

	public void setMaxFileSize(DataSize maxFileSize) {
		this.maxFileSize = maxFileSize;
	}

	public Duration getFetchTimeout() {
		return fetchTimeout;
	}

	public void setFetchTimeout(Duration fetchTimeout) {
		this.fetchTimeout = fetchTimeout;
	}

	public String getSpoolDir() {
		return spoolDir;
	}

	public void setSpoolDir(String spoolDir) {
		this.spoolDir = spoolDir;
	}

	public Duration getRetention() {
		return retention;
	}

	public void setRetention(Duration retention) {
		this.retention = retention;
	}
}
