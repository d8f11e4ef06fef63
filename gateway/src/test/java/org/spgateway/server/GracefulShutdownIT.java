package org.spgateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.spgateway.resources.ResourceChangeListener;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Stopping the gateway lets a request already in flight finish; its writes are complete, not partial.
 * A request that outlasts the shutdown grace is cut off: its transaction rolls back and the stop ends.
 */
class GracefulShutdownIT {

	static final String SYSTEM = "https://example.org/shutdown-test";
	static final CountDownLatch WRITING = new CountDownLatch(1);
	static final CountDownLatch RELEASE = new CountDownLatch(1);

	/** Holds the first write of the test's transaction open until the test has asked the gateway to stop. */
	@Configuration(proxyBeanMethods = false)
	static class PauseInsideTheTransaction {
		@Bean
		ResourceChangeListener pauseFirstShutdownTestWrite() {
			return (stored, resource, previous) -> {
				if (resource instanceof Patient p && p.getIdentifier().stream().map(Identifier::getSystem).anyMatch(SYSTEM::equals)
						&& WRITING.getCount() > 0) {
					WRITING.countDown();
					try {
						RELEASE.await(60, TimeUnit.SECONDS);
					} catch (InterruptedException e) {
						Thread.currentThread().interrupt();
					}
				}
			};
		}
	}

	static final String OVERRUN = "https://example.org/shutdown-overrun-test";
	static final CountDownLatch SLEEPING = new CountDownLatch(1);

	/** A write that, once stored in its transaction, runs a statement far longer than the shutdown grace. */
	@Configuration(proxyBeanMethods = false)
	static class OverrunTheGrace {
		@Bean
		ResourceChangeListener sleepInsideTheTransaction(JdbcTemplate jdbc) {
			return (stored, resource, previous) -> {
				if (resource instanceof Patient p && p.getIdentifier().stream().map(Identifier::getSystem).anyMatch(OVERRUN::equals)) {
					SLEEPING.countDown();
					jdbc.execute("SELECT pg_sleep(120)");
				}
			};
		}
	}

	@Test
	void aRequestOverrunningTheShutdownGraceIsCutOffItsTransactionRolledBackAndTheStopEnds() throws Exception {
		GatewayServer gateway = GatewayServer.startWith(new Class<?>[] {OverrunTheGrace.class},
				"spring.lifecycle.timeout-per-shutdown-phase=2s", "gateway.limits.request-timeout=300s");
		String tag = UUID.randomUUID().toString();
		Patient patient = new Patient();
		patient.addIdentifier().setSystem(OVERRUN).setValue(tag);
		patient.addName().setFamily("Overrun").addGiven("Grace");
		CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> {
			try {
				return Http.post(gateway.baseUrl() + "/Patient", Http.json(patient));
			} catch (IllegalStateException cutOff) {
				return null;
			}
		});
		assertThat(SLEEPING.await(60, TimeUnit.SECONDS)).as("the write is inside its transaction").isTrue();

		long started = System.nanoTime();
		CompletableFuture.runAsync(gateway::stop).get(60, TimeUnit.SECONDS);
		Duration took = Duration.ofNanos(System.nanoTime() - started);

		// The grace (2 s), Tomcat's wait for its threads (5 s) and closing the pool, which aborts connections still in use.
		assertThat(took).as("the stop is bounded, not held by the 120 s statement").isLessThan(Duration.ofSeconds(30));
		HttpResponse<String> answer = inFlight.get(60, TimeUnit.SECONDS);
		assertThat(answer == null || answer.statusCode() >= 500).as("the cut-off request was not answered as a success").isTrue();

		GatewayServer again = GatewayServer.startOn(gateway.jdbcUrl());
		try {
			Bundle found = Http.parse(Http.get(again.baseUrl() + "/Patient?identifier=" + OVERRUN + "|" + tag), Bundle.class);
			assertThat(found.getEntry()).as("the cut-off transaction rolled back").isEmpty();
		} finally {
			again.stop();
		}
	}

	@Test
	void inFlightTransactionCompletesWhenTheGatewayStops() throws Exception {
		GatewayServer gateway = GatewayServer.startWith(new Class<?>[] {PauseInsideTheTransaction.class});
		String tag = UUID.randomUUID().toString();
		int entries = 50;
		Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (int i = 0; i < entries; i++) {
			Patient p = new Patient();
			p.addIdentifier().setSystem(SYSTEM).setValue(tag + "-" + i);
			p.addName().setFamily("Shutdown").addGiven("Entry" + i);
			bundle.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(p).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
		}
		String body = GatewayServer.fhirContext().newJsonParser().encodeResourceToString(bundle);

		CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> Http.post(gateway.baseUrl(), body));
		assertThat(WRITING.await(60, TimeUnit.SECONDS)).as("the transaction reached the database").isTrue();
		CompletableFuture<Void> stopping = CompletableFuture.runAsync(gateway::stop);
		// Shutdown has begun while the transaction is half-way through its entries; now let it finish.
		Thread.sleep(1000);
		assertThat(stopping).isNotDone();
		RELEASE.countDown();

		HttpResponse<String> response = inFlight.get(120, TimeUnit.SECONDS);
		stopping.get(120, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("transaction-response");

		GatewayServer again = GatewayServer.startOn(gateway.jdbcUrl());
		try {
			Bundle found = again.client().search().forResource(Patient.class)
					.where(Patient.IDENTIFIER.hasSystemWithAnyCode(SYSTEM))
					.totalMode(ca.uhn.fhir.rest.api.SearchTotalModeEnum.ACCURATE).count(0).returnBundle(Bundle.class).execute();
			assertThat(found.getTotal()).isEqualTo(entries);
		} finally {
			again.stop();
		}
	}
}
