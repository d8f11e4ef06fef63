package org.spgateway.fhir;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.spgateway.validation.ValidationIssue;

/** Building OperationOutcomes and the HTTP errors that carry them, the same way everywhere. */
public final class Outcomes {

	private Outcomes() {}

	public static OperationOutcome of(List<ValidationIssue> issues) {
		OperationOutcome outcome = new OperationOutcome();
		for (ValidationIssue issue : issues) {
			OperationOutcome.OperationOutcomeIssueComponent c = outcome.addIssue()
					.setSeverity(issue.severity())
					.setCode(issue.type())
					.setDiagnostics(issue.diagnostics());
			if (issue.expression() != null) {
				c.addExpression(issue.expression());
			}
		}
		if (issues.isEmpty()) {
			outcome.addIssue().setSeverity(IssueSeverity.INFORMATION).setCode(IssueType.INFORMATIONAL).setDiagnostics("No issues found");
		}
		return outcome;
	}

	public static OperationOutcome single(IssueSeverity severity, IssueType type, String diagnostics, String expression) {
		return of(List.of(new ValidationIssue(severity, type, diagnostics, expression)));
	}

	/** 422: the content is understood but breaks a rule. */
	public static UnprocessableEntityException unprocessable(List<ValidationIssue> issues) {
		String first = issues.stream().filter(ValidationIssue::isError).map(ValidationIssue::diagnostics).findFirst().orElse("Invalid resource");
		return new UnprocessableEntityException(first, of(issues));
	}

	public static UnprocessableEntityException unprocessable(String diagnostics, String expression) {
		return unprocessable(List.of(ValidationIssue.error(IssueType.PROCESSING, diagnostics, expression)));
	}

	/** 400: the request itself is malformed. */
	public static InvalidRequestException invalid(String diagnostics, String expression) {
		return new InvalidRequestException(diagnostics, single(IssueSeverity.ERROR, IssueType.INVALID, diagnostics, expression));
	}

	public static PreconditionFailedException preconditionFailed(String diagnostics) {
		return new PreconditionFailedException(diagnostics, single(IssueSeverity.ERROR, IssueType.CONFLICT, diagnostics, null));
	}

	/** The OperationOutcome an exception will be answered with, building one from its message if needed. */
	public static OperationOutcome outcomeOf(BaseServerResponseException e) {
		if (e.getOperationOutcome() instanceof OperationOutcome oo && oo.hasIssue()) {
			return oo;
		}
		return single(IssueSeverity.ERROR, e.getStatusCode() >= 500 ? IssueType.EXCEPTION : IssueType.PROCESSING, e.getMessage(), null);
	}
}
