package org.spgateway.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.Constants;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.apache.tomcat.util.res.StringManager;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.spgateway.fhir.Outcomes;
import org.spgateway.hardening.SecurityHeaders;

/**
 * Tomcat's error report for requests that never reach the application (a request line Tomcat cannot
 * parse, an illegal character in the URL, headers too large): an OperationOutcome instead of Tomcat's
 * HTML page, so that even these answers are FHIR. Tomcat builds it by class name as the host's error
 * report valve; errors the application answered itself are left alone.
 */
public class OperationOutcomeErrorReportValve extends ErrorReportValve {

	private static final StringManager HTTP_REASONS = StringManager.getManager(ErrorReportValve.class);

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
			return;
		}
		AtomicBoolean writable = new AtomicBoolean(false);
		response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, writable);
		if (!writable.get()) {
			return;
		}
		String diagnostics = status == 400
				? "The request could not be read: its request line, URL or headers are malformed (characters such as | [ ] { } \\ in a"
						+ " query are accepted; others must be percent-encoded)"
				: "HTTP " + status + " " + reason(status);
		OperationOutcome outcome = Outcomes.single(status >= 500 ? IssueSeverity.FATAL : IssueSeverity.ERROR,
				status >= 500 ? IssueType.EXCEPTION : IssueType.INVALID, diagnostics, null);
		try {
			SecurityHeaders.applyNoStore(response);
			response.setContentType(Constants.CT_FHIR_JSON_NEW);
			response.setCharacterEncoding("UTF-8");
			PrintWriter writer = response.getReporter();
			if (writer != null) {
				writer.write(FhirContext.forR4Cached().newJsonParser().encodeResourceToString(outcome));
				response.finishResponse();
			}
		} catch (Exception | Error e) {
			// Nothing more can be said to this caller; never let the report itself fail the connection handling.
		}
	}

	private static String reason(int status) {
		try {
			return HTTP_REASONS.getString("http." + status + ".reason");
		} catch (RuntimeException e) {
			return "";
		}
	}
}
