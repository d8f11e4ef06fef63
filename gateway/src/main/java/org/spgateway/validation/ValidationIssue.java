package org.spgateway.validation;

import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * One finding about a resource: how bad, what kind, what a person should read, and the FHIRPath of
 * the element it is about (null when it concerns the whole request).
 */
public record ValidationIssue(IssueSeverity severity, IssueType type, String diagnostics, String expression) {

	public static ValidationIssue error(IssueType type, String diagnostics, String expression) {
		return new ValidationIssue(IssueSeverity.ERROR, type, diagnostics, expression);
	}

	public static ValidationIssue warning(IssueType type, String diagnostics, String expression) {
		return new ValidationIssue(IssueSeverity.WARNING, type, diagnostics, expression);
	}

	public boolean isError() {
		return severity == IssueSeverity.ERROR || severity == IssueSeverity.FATAL;
	}

	/** The same issue about an element of an enclosing resource, e.g. a transaction entry. */
	public ValidationIssue under(String prefix) {
		if (expression == null) {
			return new ValidationIssue(severity, type, diagnostics, prefix);
		}
		int dot = expression.indexOf('.');
		String rest = dot < 0 ? "" : expression.substring(dot);
		return new ValidationIssue(severity, type, diagnostics, prefix + rest);
	}
}
