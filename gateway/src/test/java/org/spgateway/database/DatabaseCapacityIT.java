package org.spgateway.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.intake.TestNhsNumbers;
import org.spgateway.resources.ResourceChangeListener;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.ReferralWork;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The database at its limits, on a gateway with a pool of two connections: every connection held by a
 * slow request answers the next one 503 within the pool's connection timeout, not a hang; a full disk
 * (PostgreSQL's disk_full, SQLSTATE 53100) refuses writes cleanly while reads go on. Filling a real disk
 * is not safe on a shared machine, so the full disk is a test-only trigger that raises exactly the
 * error PostgreSQL raises when it cannot extend a file.
 */
class DatabaseCapacityIT {

	static final String HOLD = "https://example.org/hold-a-connection";
	static final String TAG = "https://example.org/capacity-test";
	static final AtomicInteger HELD = new AtomicInteger();
	static final CountDownLatch RELEASE = new CountDownLatch(1);

	static GatewayServer gateway;

	/** Holds a write of a Patient with the HOLD identifier inside its transaction, so its connection stays in use. */
	@Configuration(proxyBeanMethods = false)
	static class HoldConnections {
		@Bean
		ResourceChangeListener holdTheConnection() {
			return (stored, resource, previous) -> {
				if (resource instanceof Patient p && p.getIdentifier().stream().map(Identifier::getSystem).anyMatch(HOLD::equals)) {
					HELD.incrementAndGet();
					try {
						RELEASE.await(60, TimeUnit.SECONDS);
					} catch (InterruptedException e) {
						Thread.currentThread().interrupt();
					}
				}
			};
		}
	}

	@BeforeAll
	static void start() {
		gateway = GatewayServer.startWith(new Class<?>[] {HoldConnections.class},
				"spring.datasource.hikari.maximum-pool-size=2",
				"spring.datasource.hikari.connection-timeout=1000",
				"spring.datasource.hikari.validation-timeout=500");
	}

	@AfterAll
	static void stop() {
		RELEASE.countDown();
		gateway.close();
	}

	@Test
	void everyConnectionBusyAnswersTheNextRequest503PromptlyAndWorkResumesWhenOneIsFree() throws Exception {
		List<CompletableFuture<HttpResponse<String>>> holders = new ArrayList<>();
		while (HELD.get() < 2) {
			int before = HELD.get();
			CompletableFuture<HttpResponse<String>> holder = CompletableFuture.supplyAsync(() -> Http.post(gateway.baseUrl() + "/Patient",
					Http.json(patient(HOLD))));
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			while (HELD.get() == before && !holder.isDone()) {
				assertThat(System.nanoTime()).as("a write holding a connection").isLessThan(deadline);
				Thread.sleep(20);
			}
			// A background task may have had the other connection for a moment: a holder refused 503 is simply sent again.
			if (HELD.get() > before) {
				holders.add(holder);
			} else {
				assertThat(holder.get().statusCode()).as(holder.get().body()).isEqualTo(503);
			}
		}

		long started = System.nanoTime();
		HttpResponse<String> refused = Http.get(gateway.baseUrl() + "/Patient?identifier=" + TAG + "|nobody");
		Duration took = Duration.ofNanos(System.nanoTime() - started);

		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
		assertThat(took).as("answered within the pool's connection timeout, not held").isLessThan(Duration.ofSeconds(5));
		assertThat(refused.headers().firstValue("Retry-After")).contains("2");
		OperationOutcome outcome = Http.parse(refused, OperationOutcome.class);
		assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(IssueType.TRANSIENT);
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("too busy").contains("Retry in a few seconds");
		assertThat(refused.body()).doesNotContain("Hikari").doesNotContain("SQL").doesNotContain("Exception").doesNotContain("java.");

		RELEASE.countDown();
		for (CompletableFuture<HttpResponse<String>> holder : holders) {
			assertThat(holder.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
		}
		assertThat(Http.get(gateway.baseUrl() + "/Patient?identifier=" + HOLD + "|").statusCode()).isEqualTo(200);
		Bundle held = Http.parse(Http.get(gateway.baseUrl() + "/Patient?identifier=" + HOLD + "|&_total=accurate"), Bundle.class);
		assertThat(held.getTotal()).isEqualTo(holders.size());
	}

	@Test
	void aFullDiskRefusesWritesCleanlyWithNothingStoredWhileReadsGoOn() throws Exception {
		String tag = UUID.randomUUID().toString();
		Patient before = Http.parse(Http.post(gateway.baseUrl() + "/Patient", Http.json(patient(TAG, tag + "-before"))), Patient.class);
		try (Connection c = DriverManager.getConnection(gateway.jdbcUrl(), "postgres", ""); Statement s = c.createStatement()) {
			s.execute("CREATE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
					+ " RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$");
			s.execute("CREATE TRIGGER test_disk_full BEFORE INSERT ON resource_version FOR EACH ROW EXECUTE FUNCTION test_disk_full()");
		}
		try {
			HttpResponse<String> create = Http.post(gateway.baseUrl() + "/Patient", Http.json(patient(TAG, tag + "-during")));
			assertThat(create.statusCode()).as(create.body()).isEqualTo(503);
			assertThat(create.headers().firstValue("Retry-After")).contains("60");
			OperationOutcome outcome = Http.parse(create, OperationOutcome.class);
			assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(IssueType.NOSTORE);
			assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("run out of storage space").contains("Nothing was stored");
			assertThat(create.body()).doesNotContain("No space left").doesNotContain("53100").doesNotContain("SQL");

			Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
			for (String suffix : List.of("-tx1", "-tx2")) {
				transaction.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(patient(TAG, tag + suffix))
						.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
			}
			HttpResponse<String> refusedTransaction = Http.post(gateway.baseUrl(), Http.json(transaction));
			assertThat(refusedTransaction.statusCode()).as(refusedTransaction.body()).isEqualTo(503);

			// A batch's entries stand alone: each is answered 503 in the batch-response, which itself is 200.
			Bundle batch = transaction.copy().setType(Bundle.BundleType.BATCH);
			HttpResponse<String> batchAnswer = Http.post(gateway.baseUrl(), Http.json(batch));
			assertThat(batchAnswer.statusCode()).as(batchAnswer.body()).isEqualTo(200);
			for (Bundle.BundleEntryComponent entry : Http.parse(batchAnswer, Bundle.class).getEntry()) {
				assertThat(entry.getResponse().getStatus()).isEqualTo("503 Service Unavailable");
				assertThat(((OperationOutcome) entry.getResponse().getOutcome()).getIssueFirstRep().getCode()).isEqualTo(IssueType.NOSTORE);
			}

			HttpResponse<String> read = Http.get(gateway.baseUrl() + "/Patient/" + before.getIdElement().getIdPart());
			assertThat(read.statusCode()).as("reading still works").isEqualTo(200);
		} finally {
			try (Connection c = DriverManager.getConnection(gateway.jdbcUrl(), "postgres", ""); Statement s = c.createStatement()) {
				s.execute("DROP TRIGGER test_disk_full ON resource_version");
				s.execute("DROP FUNCTION test_disk_full()");
			}
		}
		Bundle stored = Http.parse(Http.get(gateway.baseUrl() + "/Patient?identifier=" + TAG + "|&_count=100"), Bundle.class);
		assertThat(stored.getEntry()).extracting(e -> ((Patient) e.getResource()).getIdentifier().stream()
				.filter(i -> TAG.equals(i.getSystem())).findFirst().orElseThrow().getValue())
				.filteredOn(v -> v.startsWith(tag)).containsExactly(tag + "-before");
		assertThat(Http.post(gateway.baseUrl() + "/Patient", Http.json(patient(TAG, tag + "-after"))).statusCode())
				.as("writes work again once space is freed").isEqualTo(201);
	}

	private static Patient patient(String system) {
		return patient(system, UUID.randomUUID().toString());
	}

	private static Patient patient(String system, String value) {
		Patient patient = GatewayServer.fhirContext().newJsonParser().parseResource(Patient.class,
				Fixtures.text(ReferralWork.class, "patient.json").replace("${NHS}", TestNhsNumbers.next()));
		patient.addIdentifier().setSystem(system).setValue(value);
		return patient;
	}
}
