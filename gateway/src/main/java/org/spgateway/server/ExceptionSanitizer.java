package org.spgateway.server;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.spgateway.fhir.Outcomes;

/**
 * Makes sure no stack trace or internal detail ever reaches a caller: unexpected failures become a
 * 500 OperationOutcome that quotes the request id (the full exception goes to the log), and HAPI's
 * internal message codes are dropped from the diagnostics callers read.
 */
@Interceptor
public class ExceptionSanitizer {

	private static final Logger log = LoggerFactory.getLogger(ExceptionSanitizer.class);

	@Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
	public BaseServerResponseException sanitize(RequestDetails request, Throwable exception) {
		BaseServerResponseException known = exception instanceof BaseServerResponseException b ? b : null;
		if (known == null || known.getStatusCode() >= 500) {
			log.error("Request failed unexpectedly", exception);
			String requestId = MDC.get(RequestIdFilter.MDC_REQUEST_ID);
			OperationOutcome outcome = Outcomes.single(IssueSeverity.FATAL, IssueType.EXCEPTION,
					"The gateway could not complete this request. Nothing was stored. Quote request id " + requestId
							+ " when reporting this.", null);
			return new InternalErrorException("Internal error", outcome);
		}
		OperationOutcome outcome = Outcomes.outcomeOf(known);
		for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
			if (issue.hasDiagnostics()) {
				issue.setDiagnostics(issue.getDiagnostics().replaceAll("HAPI-\\d+: ", ""));
			}
		}
		known.setOperationOutcome(outcome);
		return known;
	}
}
