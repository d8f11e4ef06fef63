package org.spgateway.bulkimport;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.spgateway.access.ResourceAccess;
import org.spgateway.intake.ReferralRecords;
import org.spgateway.resources.ResourceService;
import org.spgateway.security.AccessPolicy;
import org.spgateway.security.OutboundAddressRules;
import org.spgateway.store.StoreStatistics;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/** Bulk import: {@code $import} and its status URL, the job tables and the worker that carries jobs on across restarts. */
@Configuration(proxyBeanMethods = false)
public class BulkImportConfig {

	@Bean
	BulkImportRecords bulkImportRecords(JdbcTemplate jdbcTemplate) {
		return new BulkImportRecords(jdbcTemplate);
	}

	/** Validation is the CPU-bound part of an import; its threads borrow the same pooled validators requests do. */
	@Bean(destroyMethod = "shutdownNow")
	ExecutorService bulkImportValidators(BulkImportProperties properties) {
		int threads = properties.getValidationThreads() > 0 ? properties.getValidationThreads() : Runtime.getRuntime().availableProcessors();
		AtomicInteger n = new AtomicInteger();
		return Executors.newFixedThreadPool(threads, r -> {
			Thread t = new Thread(r, "bulk-import-validate-" + n.incrementAndGet());
			t.setDaemon(true);
			return t;
		});
	}

	@Bean(destroyMethod = "close")
	ImportWorker importWorker(FhirContext fhirContext, ResourceService resources, JdbcTemplate jdbcTemplate, TransactionTemplate transactions,
			PlatformTransactionManager transactionManager, BulkImportRecords records, ReferralRecords referrals, ResourceAccess access,
			ExecutorService bulkImportValidators, OutboundAddressRules addresses, AccessPolicy policy, BulkImportProperties properties) {
		// A referral routed through intake is refused alone: its writes are undone to a savepoint, not the batch's.
		TransactionTemplate nested = new TransactionTemplate(transactionManager);
		nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
		ImportBatches batches = new ImportBatches(fhirContext, resources, jdbcTemplate, transactions, nested, records, referrals,
				new ImportRules(access), bulkImportValidators);
		NdjsonFetcher fetcher = new NdjsonFetcher(addresses, properties.getFetchTimeout(), properties.getMaxFileSize().toBytes());
		return new ImportWorker(records, batches, fetcher, policy, properties, spool(properties), new StoreStatistics(jdbcTemplate));
	}

	@Bean
	BulkImportProvider bulkImportProvider(FhirContext fhirContext, ResourceService resources, BulkImportRecords records, ImportWorker worker,
			OutboundAddressRules addresses, TransactionTemplate transactions) {
		return new BulkImportProvider(fhirContext, resources, records, worker, addresses, transactions);
	}

	/** Once the gateway is ready: carries on with the jobs a previous run (or a crash) left unfinished. */
	@Bean
	ApplicationListener<ApplicationReadyEvent> bulkImportResume(ImportWorker worker) {
		return event -> worker.resumeUnfinished();
	}

	private static Path spool(BulkImportProperties properties) {
		Path dir = properties.getSpoolDir().isBlank() ? Path.of(System.getProperty("java.io.tmpdir"), "spgateway-import")
				: Path.of(properties.getSpoolDir());
		try {
			return Files.createDirectories(dir);
		} catch (IOException e) {
			throw new UncheckedIOException("gateway.bulk-import.spool-dir cannot be created: " + dir, e);
		}
	}
}
