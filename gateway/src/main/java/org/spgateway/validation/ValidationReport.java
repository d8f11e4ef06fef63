package org.spgateway.validation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Everything the validator found about one resource (or Bundle). */
public final class ValidationReport {

	private final List<ValidationIssue> issues;

	public ValidationReport(List<ValidationIssue> issues) {
		this.issues = Collections.unmodifiableList(new ArrayList<>(issues));
	}

	public static ValidationReport ok() {
		return new ValidationReport(List.of());
	}

	public List<ValidationIssue> issues() {
		return issues;
	}

	public boolean hasErrors() {
		return issues.stream().anyMatch(ValidationIssue::isError);
	}

	public List<ValidationIssue> errors() {
		return issues.stream().filter(ValidationIssue::isError).toList();
	}

	public ValidationReport plus(List<ValidationIssue> more) {
		List<ValidationIssue> all = new ArrayList<>(issues);
		all.addAll(more);
		return new ValidationReport(all);
	}
}
