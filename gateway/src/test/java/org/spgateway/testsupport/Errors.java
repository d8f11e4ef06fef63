package org.spgateway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.OperationOutcomeIssueComponent;
import org.hl7.fhir.r4.model.StringType;

/**
 * What every error answer must look like: the expected status, an OperationOutcome body (in the format
 * the caller asked for), and nothing internal: no exception names, no stack frames.
 */
public final class Errors {

	private Errors() {}

	/** Asserts the status and a clean OperationOutcome body, and returns that OperationOutcome. */
	public static OperationOutcome outcome(HttpResponse<String> response, int status) {
		assertThat(response.statusCode()).as("HTTP status; body: %s", response.body()).isEqualTo(status);
		assertNoInternals(response.body());
		String contentType = response.headers().firstValue("Content-Type").orElse("");
		assertThat(contentType).as("Content-Type of an error").contains("fhir");
		OperationOutcome outcome = contentType.contains("xml")
				? GatewayServer.fhirContext().newXmlParser().parseResource(OperationOutcome.class, response.body())
				: GatewayServer.fhirContext().newJsonParser().parseResource(OperationOutcome.class, response.body());
		assertThat(outcome.getIssue()).as("issues").isNotEmpty();
		for (OperationOutcomeIssueComponent issue : outcome.getIssue()) {
			assertThat(issue.getSeverity()).as("severity of %s", issue.getDiagnostics()).isNotNull();
			assertThat(issue.getDiagnostics()).as("diagnostics").isNotBlank();
		}
		return outcome;
	}

	/** No stack trace, exception class name or internal message code in a body a caller reads. */
	public static void assertNoInternals(String body) {
		assertThat(body).as("body must not leak internals")
				.doesNotContain("Exception")
				.doesNotContain("at org.")
				.doesNotContain("at ca.uhn.")
				.doesNotContain("at java.")
				.doesNotContain("HAPI-0")
				.doesNotContainIgnoringCase("<html");
	}

	public static List<OperationOutcomeIssueComponent> errors(OperationOutcome outcome) {
		return outcome.getIssue().stream()
				.filter(i -> i.getSeverity() == IssueSeverity.ERROR || i.getSeverity() == IssueSeverity.FATAL)
				.toList();
	}

	public static List<OperationOutcomeIssueComponent> warnings(OperationOutcome outcome) {
		return outcome.getIssue().stream().filter(i -> i.getSeverity() == IssueSeverity.WARNING).toList();
	}

	/** Every expression of every issue. */
	public static List<String> expressions(List<OperationOutcomeIssueComponent> issues) {
		return issues.stream().flatMap(i -> i.getExpression().stream()).map(StringType::getValue).toList();
	}

	public static String diagnostics(List<OperationOutcomeIssueComponent> issues) {
		return issues.stream().map(OperationOutcomeIssueComponent::getDiagnostics).collect(Collectors.joining("\n"));
	}
}
