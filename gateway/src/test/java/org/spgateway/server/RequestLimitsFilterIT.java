package org.spgateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.config.GatewayProperties;
import org.spgateway.testsupport.Errors;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/**
 * Request bodies are bounded before any FHIR parser sees them: size (413), nesting depth, Bundle entry
 * count and Bundles inside Bundles (422), each answered with an OperationOutcome. The limits are read
 * from the running gateway's configuration, so the test follows whatever is configured.
 */
class RequestLimitsFilterIT {

	private static final String MARKER_SYSTEM = "https://example.org/limits-it";

	static GatewayServer gateway;
	static String base;
	static GatewayProperties.Limits limits;

	@BeforeAll
	static void start() {
		gateway = SharedGateway.get();
		base = gateway.baseUrl();
		limits = gateway.bean(GatewayProperties.class).getLimits();
	}

	private static boolean stored(String marker) {
		return !Http.parse(Http.get(base + "/Patient?identifier=" + MARKER_SYSTEM + "|" + marker), Bundle.class).getEntry().isEmpty();
	}

	private static String patientWithFamily(String marker, int familyLength) {
		return "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + MARKER_SYSTEM + "\",\"value\":\"" + marker
				+ "\"}],\"name\":[{\"family\":\"" + "x".repeat(familyLength) + "\"}]}";
	}

	@Test
	void aBodyOverTheSizeLimitIs413() {
		String marker = UUID.randomUUID().toString();
		String body = patientWithFamily(marker, (int) limits.getMaxBodyBytes());
		OperationOutcome outcome = Errors.outcome(Http.post(base + "/Patient", body), 413);
		assertThat(outcome.getIssueFirstRep().getCode().toCode()).isEqualTo("too-long");
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains(Long.toString(limits.getMaxBodyBytes()));
		assertThat(stored(marker)).isFalse();
	}

	@Test
	void aChunkedBodyOverTheSizeLimitIs413() {
		String marker = UUID.randomUUID().toString();
		byte[] body = patientWithFamily(marker, (int) limits.getMaxBodyBytes()).getBytes();
		// No Content-Length: the limit must hold while the body streams in.
		HttpResponse<String> response = Http.send(HttpRequest.newBuilder(Http.uri(base + "/Patient"))
				.header("Content-Type", "application/fhir+json")
				.POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));
		Errors.outcome(response, 413);
		assertThat(stored(marker)).isFalse();
	}

	@Test
	void aBodyJustUnderTheSizeLimitIsAccepted() {
		String marker = UUID.randomUUID().toString();
		String small = patientWithFamily(marker, 0);
		String body = patientWithFamily(marker, (int) Math.min(limits.getMaxBodyBytes() - small.length() - 10, 100_000));
		assertThat(Http.post(base + "/Patient", body).statusCode()).isEqualTo(201);
	}

	@Test
	void tooManyBundleEntriesIs422() {
		StringBuilder entries = new StringBuilder();
		for (int i = 0; i <= limits.getMaxBundleEntries(); i++) {
			entries.append(i == 0 ? "" : ",").append("{\"request\":{\"method\":\"GET\",\"url\":\"Patient?_count=1\"}}");
		}
		String bundle = "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[" + entries + "]}";
		OperationOutcome outcome = Errors.outcome(Http.post(base, bundle), 422);
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains(limits.getMaxBundleEntries() + " entries");
	}

	@Test
	void exactlyTheMaximumNumberOfEntriesIsAccepted() {
		StringBuilder entries = new StringBuilder();
		for (int i = 0; i < limits.getMaxBundleEntries(); i++) {
			entries.append(i == 0 ? "" : ",").append("{\"request\":{\"method\":\"GET\",\"url\":\"Patient?_count=0\"}}");
		}
		String bundle = "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[" + entries + "]}";
		HttpResponse<String> response = Http.post(base, bundle);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(Http.parse(response, Bundle.class).getEntry()).hasSize(limits.getMaxBundleEntries());
	}

	@Test
	void nestingTooDeepIs422InJsonAndXml() {
		StringBuilder open = new StringBuilder();
		StringBuilder close = new StringBuilder();
		for (int i = 0; i < limits.getMaxNestingDepth(); i++) {
			open.append("{\"url\":\"https://example.org/e").append(i).append("\",\"extension\":[");
			close.append("]}");
		}
		String json = "{\"resourceType\":\"Patient\",\"extension\":[" + open + close + "]}";
		OperationOutcome outcome = Errors.outcome(Http.post(base + "/Patient", json), 422);
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains(limits.getMaxNestingDepth() + " levels");

		StringBuilder xml = new StringBuilder("<Patient xmlns=\"http://hl7.org/fhir\">");
		for (int i = 0; i < limits.getMaxNestingDepth(); i++) {
			xml.append("<extension url=\"https://example.org/e").append(i).append("\">");
		}
		xml.append("</extension>".repeat(limits.getMaxNestingDepth())).append("</Patient>");
		HttpResponse<String> response = Http.post(base + "/Patient", xml.toString(), "Content-Type", "application/fhir+xml",
				"Accept", "application/fhir+xml");
		Errors.outcome(response, 422);
		assertThat(response.body()).startsWith("<OperationOutcome");
	}

	@Test
	void bundlesNestedBeyondTheLimitAre422() {
		String innermost = "{\"resourceType\":\"Bundle\",\"type\":\"collection\"}";
		String nested = innermost;
		for (int i = 1; i <= limits.getMaxBundleNesting(); i++) {
			nested = "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[{\"resource\":" + nested + "}]}";
		}
		String batch = "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[{\"resource\":" + nested
				+ ",\"request\":{\"method\":\"POST\",\"url\":\"Bundle\"}}]}";
		OperationOutcome outcome = Errors.outcome(Http.post(base, batch), 422);
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("at most " + limits.getMaxBundleNesting());
	}

	@Test
	void malformedBodiesPassTheFilterAndAreReportedByTheParser() {
		Errors.outcome(Http.post(base + "/Patient", "{\"resourceType\":\"Patient\",\"name\":[{"), 400);
		Errors.outcome(Http.post(base + "/Patient", "<Patient xmlns=\"http://hl7.org/fhir\"><name>", "Content-Type", "application/fhir+xml"), 400);
	}
}
