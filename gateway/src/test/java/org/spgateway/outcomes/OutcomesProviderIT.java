package org.spgateway.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceOperationComponent;
import org.hl7.fhir.r4.model.OperationDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/** A tester learns the outcome operations from the server itself: the CapabilityStatement and the OperationDefinitions. */
class OutcomesProviderIT {

	static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = SharedGateway.get();
	}

	@Test
	void capabilityStatementListsTheOperationsWithTheirDefinitions() {
		CapabilityStatement cs = Http.parse(Http.get(gateway.baseUrl() + "/metadata"), CapabilityStatement.class);
		var serviceRequest = cs.getRestFirstRep().getResource().stream().filter(r -> r.getType().equals("ServiceRequest")).findFirst().orElseThrow();
		assertThat(serviceRequest.getOperation()).extracting(CapabilityStatementRestResourceOperationComponent::getName)
				.contains("outcomes", "reviews-due");

		for (CapabilityStatementRestResourceOperationComponent op : serviceRequest.getOperation()) {
			if (!op.getName().equals("outcomes") && !op.getName().equals("reviews-due")) {
				continue;
			}
			String definition = op.getDefinition();
			assertThat(definition).endsWith(op.getName().equals("outcomes") ? "OperationDefinition/ServiceRequest-i-outcomes"
					: "OperationDefinition/ServiceRequest-t-reviews-due");
			String path = definition.substring(definition.indexOf("OperationDefinition/"));
			HttpResponse<String> response = Http.get(gateway.baseUrl() + "/" + path);
			assertThat(response.statusCode()).as(path).isEqualTo(200);
			OperationDefinition od = Http.parse(response, OperationDefinition.class);
			assertThat(od.getCode()).isEqualTo(op.getName());
			assertThat(od.getResource()).extracting(r -> r.getValue()).contains("ServiceRequest");
			assertThat(od.getDescription()).isNotBlank();
		}
	}

	@Test
	void outcomesOfAnUnknownReferralIsNotFound() {
		HttpResponse<String> response = Http.get(gateway.baseUrl() + "/ServiceRequest/no-such-referral/$outcomes");
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.body()).contains("OperationOutcome");
	}
}
