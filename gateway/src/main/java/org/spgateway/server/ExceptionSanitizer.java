package org.spgateway.server;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.Locale;
import java.util.Optional;
import ca.uhn.fhir.rest.server.method.OperationParameter;
import ca.uhn.fhir.rest.server.method.ResourceParameter;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.spgateway.database.DatabaseFaults;
import org.spgateway.fhir.BarsErrorCodes;
import org.spgateway.fhir.LibraryMessages;
import org.spgateway.fhir.LogSafe;
import org.spgateway.fhir.Outcomes;
import org.spgateway.fhir.RequestDeadline;

/**
 * Makes sure no stack trace or internal detail ever reaches a caller: unexpected failures become a
 * 500 OperationOutcome that quotes the request id (the exception goes to the log, its messages
 * redacted), a request over its time budget is 503, so is one the database could not serve (down, every
 * connection busy, disk full: see {@link DatabaseFaults}), and HAPI's internal message codes are dropped from
 * the diagnostics callers read.
 */
@Interceptor
public class ExceptionSanitizer {

	private static final Logger log = LoggerFactory.getLogger(ExceptionSanitizer.class);
	@Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
	public BaseServerResponseException sanitize(RequestDetails request, Throwable exception) {
		BaseServerResponseException answer = sanitized(request, exception);
		if (answer != null && request != null && BarsErrorCodes.isBars(request.getRequestPath() == null ? null : "/" + request.getRequestPath())) {
			// Refused before $process-message ran (content type, Accept, HAPI's own parsing): still in BaRS's terms.
			OperationOutcome outcome = Outcomes.outcomeOf(answer);
			answer.setOperationOutcome(BarsErrorCodes.apply(outcome, answer.getStatusCode()));
		}
		return answer;
	}

	private BaseServerResponseException sanitized(RequestDetails request, Throwable exception) {
		BaseServerResponseException known = exception instanceof BaseServerResponseException b ? b : null;
		DataFormatException badValue = badValue(exception);
		if (badValue != null) {
			// HAPI parses operation parameters before any provider runs: a value it cannot read is the caller's mistake.
			String message = "A request parameter could not be read: " + plain(String.valueOf(badValue.getMessage()));
			return new InvalidRequestException(message, Outcomes.single(IssueSeverity.ERROR, IssueType.INVALID, message, null));
		}
		if (known == null && thrownBy(exception, ResourceParameter.class, "loadResourceFromRequest")) {
			// HAPI's parser fails with NullPointerException on some wrongly typed JSON (an extension that is not an object).
			String message = "The body could not be read as FHIR: an element has a value of the wrong kind (e.g. a number or true"
					+ " where an object belongs)";
			return new InvalidRequestException(message, Outcomes.single(IssueSeverity.ERROR, IssueType.INVALID, message, null));
		}
		if (badOperationNumber(exception)) {
			// HAPI converts operation parameters (_count of $overdue, $reviews-due ...) before any provider runs.
			String message = "A parameter of this operation must be a whole number (e.g. _count=20)";
			return new InvalidRequestException(message, Outcomes.single(IssueSeverity.ERROR, IssueType.INVALID, message, null));
		}
		if (known instanceof RequestDeadline.TimedOut) {
			return known;
		}
		if (RequestDeadline.cutOff(exception)) {
			log.warn("Request stopped: a database statement outlived the request's time budget");
			return RequestDeadline.exceeded();
		}
		if (known instanceof DatabaseFaults.Unavailable) {
			return known;
		}
		Optional<DatabaseFaults.Fault> fault = DatabaseFaults.of(exception);
		if (fault.isPresent()) {
			// Not a bug: one line per request, without the stack, so an outage does not bury the log.
			log.warn("Request refused: database {} (SQLSTATE {}, {})", fault.get().name().toLowerCase(Locale.ROOT).replace('_', ' '),
					DatabaseFaults.sqlState(exception), rootClass(exception));
			return DatabaseFaults.answer(fault.get());
		}
		if (known == null || known.getStatusCode() >= 500) {
			// The class and stack frames find the fault; the messages may quote the payload, so they are redacted.
			log.error("Request failed unexpectedly ({})", rootClass(exception), LogSafe.redacted(exception));
			String requestId = MDC.get(RequestIdFilter.MDC_REQUEST_ID);
			OperationOutcome outcome = Outcomes.single(IssueSeverity.FATAL, IssueType.EXCEPTION,
					"The gateway could not complete this request. Nothing was stored. Quote request id " + requestId
							+ " when reporting this.", null);
			return new InternalErrorException("Internal error", outcome);
		}
		OperationOutcome outcome = Outcomes.outcomeOf(known);
		for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
			if (issue.hasDiagnostics()) {
				issue.setDiagnostics(plain(issue.getDiagnostics()));
			}
		}
		known.setOperationOutcome(outcome);
		return known;
	}

	/** Diagnostics as a caller should read them (see {@link LibraryMessages#plain}). */
	static String plain(String diagnostics) {
		return LibraryMessages.plain(diagnostics);
	}

	private static String rootClass(Throwable exception) {
		Throwable root = exception;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getClass().getSimpleName();
	}

	/** Whether the method named, of the class given, is on the stack of the exception or one of its causes. */
	private static boolean thrownBy(Throwable exception, Class<?> type, String method) {
		for (Throwable t = exception; t != null && t.getCause() != t; t = t.getCause()) {
			for (StackTraceElement frame : t.getStackTrace()) {
				if (frame.getClassName().equals(type.getName()) && frame.getMethodName().equals(method)) {
					return true;
				}
			}
		}
		return false;
	}

	/** A number HAPI could not convert while reading an operation's parameters from the URL. */
	private static boolean badOperationNumber(Throwable exception) {
		boolean number = false;
		boolean operationParameter = false;
		for (Throwable t = exception; t != null && t.getCause() != t; t = t.getCause()) {
			number |= t instanceof NumberFormatException;
			for (StackTraceElement frame : t.getStackTrace()) {
				operationParameter |= frame.getClassName().equals(OperationParameter.class.getName());
			}
		}
		return number && operationParameter;
	}

	private static DataFormatException badValue(Throwable exception) {
		for (Throwable t = exception; t != null; t = t.getCause()) {
			if (t instanceof DataFormatException d) {
				return d;
			}
		}
		return null;
	}
}
