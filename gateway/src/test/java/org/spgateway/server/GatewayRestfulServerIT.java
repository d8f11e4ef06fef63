package org.spgateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.Errors;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/**
 * Requests malformed at the HTTP level still get an OperationOutcome: a bad escape in the query string,
 * and requests Tomcat itself refuses before the application sees them. Sent as raw bytes: HTTP client
 * libraries refuse to send them.
 */
class GatewayRestfulServerIT {

	static GatewayServer gateway;
	static String base;

	@BeforeAll
	static void start() {
		gateway = SharedGateway.get();
		base = gateway.baseUrl();
	}

	private static String rawGet(String target) {
		return Http.raw(gateway.port(), "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
	}

	private static String statusLine(String response) {
		return response.substring(0, response.indexOf("\r\n"));
	}

	@Test
	void aMalformedEscapeInTheQueryIs400() {
		for (String query : new String[] {"name=%", "name=%zz", "name=ab%2"}) {
			String response = rawGet("/fhir/Patient?" + query);
			assertThat(statusLine(response)).as(query).isEqualTo("HTTP/1.1 400 ");
			assertThat(response).contains("application/fhir+json").contains("\"resourceType\":\"OperationOutcome\"")
					.contains("not valid URL encoding").containsIgnoringCase("X-Request-Id: ");
			Errors.assertNoInternals(response);
		}
		assertThat(Http.get(base + "/Patient?name=100%25&_count=1").statusCode()).isEqualTo(200);
	}

	@Test
	void fhirBackslashEscapesMayBeSentUnencoded() {
		String family = "Smith,Jones-" + UUID.randomUUID().toString().substring(0, 8);
		HttpResponse<String> created = Http.post(base + "/Patient", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + family + "\"}]}");
		assertThat(created.statusCode()).isEqualTo(201);
		String response = rawGet("/fhir/Patient?family:exact=" + family.replace(",", "\\,") + "&_summary=count");
		assertThat(statusLine(response)).isEqualTo("HTTP/1.1 200 ");
		assertThat(response).contains("\"total\":1");
		// The same, encoded as a client library sends it.
		Bundle encoded = Http.parse(Http.get(base + "/Patient?family:exact=" + family.replace(",", "%5C,") + "&_summary=count"), Bundle.class);
		assertThat(encoded.getTotal()).isEqualTo(1);
	}

	@Test
	void requestsTomcatRefusesAreAnsweredWithAnOperationOutcome() {
		for (String target : new String[] {"/fhir/Patient?name=<script>", "/fhir/Pat\"ient"}) {
			String response = rawGet(target);
			assertThat(statusLine(response)).as(target).startsWith("HTTP/1.1 400");
			assertThat(response).as(target).contains("Content-Type: application/fhir+json").contains("\"resourceType\":\"OperationOutcome\"")
					.contains("could not be read");
			Errors.assertNoInternals(response);
		}
	}
}
