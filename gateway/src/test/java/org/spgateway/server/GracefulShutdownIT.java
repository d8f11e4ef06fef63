package org.spgateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
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

/** Stopping the gateway lets a request already in flight finish; its writes are complete, not partial. */
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
