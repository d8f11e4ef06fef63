package org.spgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SandboxGateway;

/**
 * A BaRS message refused before $process-message runs (by the request filters or by HAPI) still carries
 * BaRS's error code in each issue's details, as the operation's own refusals do.
 */
class BarsEarlyRefusalsIT {

	static final GatewayServer GATEWAY = SandboxGateway.get();

	@Test
	void aMessageNestedTooDeepIsRefusedWithTheBarsCode() {
		String body = "{\"resourceType\":\"Bundle\",\"type\":\"message\",\"extension\":" + "[{\"extension\":".repeat(80) + "[]" + "}]".repeat(80) + "}";
		HttpResponse<String> response = post(body, "application/fhir+json");
		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(code(response)).isEqualTo("REC_UNPROCESSABLE_ENTITY");
	}

	@Test
	void aMessageInAnUnsupportedFormatIsRefusedWithTheBarsCode() {
		HttpResponse<String> response = post("@prefix fhir: <http://hl7.org/fhir/> .", "text/turtle");
		assertThat(response.statusCode()).isBetween(400, 499);
		assertThat(code(response)).startsWith("REC_");
	}

	@Test
	void otherEndpointsKeepTheirPlainOutcomes() {
		String body = "{\"resourceType\":\"Patient\",\"extension\":" + "[{\"extension\":".repeat(80) + "[]" + "}]".repeat(80) + "}";
		HttpResponse<String> response = Http.post(GATEWAY.baseUrl() + "/Patient", body);
		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(Http.parse(response, OperationOutcome.class).getIssueFirstRep().hasDetails()).isFalse();
	}

	static HttpResponse<String> post(String body, String contentType) {
		return Http.send(HttpRequest.newBuilder(URI.create(GATEWAY.baseUrl() + "/$process-message"))
				.header("Content-Type", contentType).header("Accept", "application/fhir+json")
				.header("X-Request-Id", UUID.randomUUID().toString()).header("X-Correlation-Id", UUID.randomUUID().toString())
				.POST(HttpRequest.BodyPublishers.ofString(body)));
	}

	static String code(HttpResponse<String> response) {
		OperationOutcome outcome = GatewayServer.fhirContext().newJsonParser().parseResource(OperationOutcome.class, response.body());
		assertThat(outcome.getIssueFirstRep().getDetails().getCodingFirstRep().getSystem()).isEqualTo("https://fhir.nhs.uk/Codesystem/http-error-codes");
		return outcome.getIssueFirstRep().getDetails().getCodingFirstRep().getCode();
	}
}
