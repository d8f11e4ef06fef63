package org.spgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/**
 * A search that includes runs in a transaction of its own, or in the caller's (SearchPlans): inside a transaction Bundle it
 * sees what the Bundle wrote before it and leaves the transaction to commit the rest; on its own it answers as before.
 */
class SearchPlansIT {

	private final GatewayServer gateway = SharedGateway.get();

	@Test
	void aSearchWithIncludesInsideATransactionSeesTheTransactionsOwnWritesAndTheRestCommits() {
		String mark = UUID.randomUUID().toString();
		String transaction = """
				{"resourceType":"Bundle","type":"transaction","entry":[
				 {"fullUrl":"urn:uuid:11111111-1111-4111-8111-111111111111",
				  "resource":{"resourceType":"Patient","name":[{"family":"Plans"}],"birthDate":"1960-01-02"},
				  "request":{"method":"POST","url":"Patient"}},
				 {"resource":{"resourceType":"Observation","status":"final","identifier":[{"system":"urn:ietf:rfc:3986","value":"urn:uuid:%s"}],
				   "code":{"coding":[{"system":"http://snomed.info/sct","code":"718466001"}]},
				   "subject":{"reference":"urn:uuid:11111111-1111-4111-8111-111111111111"},"valueInteger":7},
				  "request":{"method":"POST","url":"Observation"}},
				 {"request":{"method":"GET","url":"Observation?identifier=urn:uuid:%s&_include=Observation:subject"}}]}
				""".formatted(mark, mark);
		HttpResponse<String> response = Http.post(gateway.baseUrl(), transaction, "Content-Type", "application/fhir+json");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Bundle answer = Http.parse(response, Bundle.class);
		Bundle searched = (Bundle) answer.getEntry().get(2).getResource();
		assertThat(types(searched)).as("the Observation written before it and its Patient, included").containsExactlyInAnyOrder("Observation",
				"Patient");

		// Both writes committed with the transaction; the same search on its own finds them.
		Bundle again = Http.parse(Http.get(gateway.baseUrl() + "/Observation?identifier=urn:uuid:" + mark
				+ "&_include=Observation:subject"),
				Bundle.class);
		assertThat(types(again)).containsExactlyInAnyOrder("Observation", "Patient");
	}

	private static List<String> types(Bundle bundle) {
		return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).map(Resource::fhirType).toList();
	}
}
