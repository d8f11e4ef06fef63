package org.spgateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;

/** Stopping the gateway lets a request already in flight finish; its writes are complete, not partial. */
class GracefulShutdownIT {

	@Test
	void inFlightTransactionCompletesWhenTheGatewayStops() throws Exception {
		GatewayServer gateway = GatewayServer.start();
		String tag = UUID.randomUUID().toString();
		int entries = 300;
		Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (int i = 0; i < entries; i++) {
			Patient p = new Patient();
			p.addIdentifier().setSystem("https://example.org/shutdown-test").setValue(tag + "-" + i);
			p.addName().setFamily("Shutdown").addGiven("Entry" + i);
			bundle.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(p).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
		}
		String body = GatewayServer.fhirContext().newJsonParser().encodeResourceToString(bundle);
		String url = gateway.baseUrl();

		CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> Http.post(url, body));
		// Let the request reach the server before asking it to stop.
		waitUntilStarted(url, tag);
		gateway.stop();

		HttpResponse<String> response = inFlight.get(120, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(200);

		GatewayServer again = GatewayServer.startOn(gateway.jdbcUrl());
		try {
			Bundle found = again.client().search().forResource(Patient.class)
					.where(Patient.IDENTIFIER.hasSystemWithAnyCode("https://example.org/shutdown-test"))
					.totalMode(ca.uhn.fhir.rest.api.SearchTotalModeEnum.ACCURATE).count(0).returnBundle(Bundle.class).execute();
			assertThat(found.getTotal()).isEqualTo(entries);
		} finally {
			again.stop();
		}
	}

	/** The transaction is validated before anything is written; give it that long, bounded. */
	private static void waitUntilStarted(String url, String tag) throws InterruptedException {
		Thread.sleep(300);
	}
}
