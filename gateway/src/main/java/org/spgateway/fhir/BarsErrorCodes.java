package org.spgateway.fhir;

import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * The BaRS error codes (https://fhir.nhs.uk/Codesystem/http-error-codes) a refused {@code $process-message}
 * carries in each issue's details, whichever layer refused it: the operation itself, HAPI before it ran,
 * or the gateway's request filters (body size, nesting, encoding).
 */
public final class BarsErrorCodes {

	public static final String SYSTEM = "https://fhir.nhs.uk/Codesystem/http-error-codes";
	private static final String OPERATION = "$process-message";

	private BarsErrorCodes() {}

	/** The BaRS error code for an HTTP status. */
	public static String code(int status) {
		return switch (status) {
			case 400 -> "REC_BAD_REQUEST";
			case 404 -> "REC_NOT_FOUND";
			case 405 -> "REC_METHOD_NOT_ALLOWED";
			case 406 -> "REC_NOT_SUPPORTED";
			case 409, 412 -> "REC_CONFLICT";
			case 413, 422 -> "REC_UNPROCESSABLE_ENTITY";
			default -> status >= 500 ? "REC_SERVER_ERROR" : "REC_BAD_REQUEST";
		};
	}

	/** Whether a request path is BaRS's {@code $process-message}. */
	public static boolean isBars(String path) {
		return path != null && (path.endsWith("/" + OPERATION) || path.endsWith("/%24process-message"));
	}

	/** Adds the code for {@code status} to every error issue that has no details yet. */
	public static OperationOutcome apply(OperationOutcome outcome, int status) {
		for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
			boolean error = issue.getSeverity() == OperationOutcome.IssueSeverity.ERROR || issue.getSeverity() == OperationOutcome.IssueSeverity.FATAL;
			if (error && !issue.hasDetails()) {
				issue.getDetails().addCoding().setSystem(SYSTEM).setCode(code(status));
			}
		}
		return outcome;
	}
}
