package org.spgateway.server;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.method.OperationParameter;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.spgateway.fhir.LogSafe;
import org.spgateway.fhir.Outcomes;
import org.spgateway.fhir.RequestDeadline;

/**
 * Makes sure no stack trace or internal detail ever reaches a caller: unexpected failures become a
 * 500 OperationOutcome that quotes the request id (the exception goes to the log, its messages
 * redacted), a request over its time budget is 503, and HAPI's internal message codes are dropped from
 * the diagnostics callers read.
 */
@Interceptor
public class ExceptionSanitizer {

	private static final Logger log = LoggerFactory.getLogger(ExceptionSanitizer.class);
	private static final Pattern HAPI_CODE = Pattern.compile("HAPI-\\d+: ");
	/** A qualified exception class and its colon at the start of a wrapped message. */
	private static final Pattern QUALIFIED_EXCEPTION = Pattern.compile("\\b(?:[a-z][a-z0-9_]*+\\.)++[A-Z][A-Za-z0-9_$]*(?:Exception|Error)(?::\\s*)?");
	/** An unqualified exception class as a library's message starts with it ("DataFormatException at [row,col]: ..."). */
	private static final Pattern BARE_EXCEPTION = Pattern.compile("\\b[A-Z][A-Za-z0-9_]*Exception\\b(?::\\s*|\\s+at\\s+)?");
	/** Diagnostics longer than this quote a payload at length; they are cut before any pattern runs over them. */
	private static final int MAX_DIAGNOSTICS = 4000;
	/** Any other qualified Java name: package segments, then a class name (URLs have slashes, so they do not match). */
	private static final Pattern QUALIFIED_CLASS = Pattern.compile("\\b(?:[a-z][a-z0-9_]*+\\.){2,}+([A-Z][A-Za-z0-9_]*)(?:\\$[A-Za-z0-9_]+)*");

	@Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
	public BaseServerResponseException sanitize(RequestDetails request, Throwable exception) {
		BaseServerResponseException known = exception instanceof BaseServerResponseException b ? b : null;
		DataFormatException badValue = badValue(exception);
		if (badValue != null) {
			// HAPI parses operation parameters before any provider runs: a value it cannot read is the caller's mistake.
			String message = "A request parameter could not be read: " + plain(String.valueOf(badValue.getMessage()));
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

	/**
	 * Diagnostics as a caller should read them: without HAPI's message codes, and without the Java
	 * exception and class names libraries put in their messages ({@code org.hl7...FHIRLexerException: },
	 * {@code java.util.ArrayList}), which mean nothing to a caller and describe the gateway's insides.
	 */
	static String plain(String diagnostics) {
		String cut = diagnostics.length() > MAX_DIAGNOSTICS ? diagnostics.substring(0, MAX_DIAGNOSTICS) + "…" : diagnostics;
		String plain = HAPI_CODE.matcher(cut).replaceAll("");
		plain = QUALIFIED_EXCEPTION.matcher(plain).replaceAll("");
		plain = BARE_EXCEPTION.matcher(plain).replaceAll("");
		return QUALIFIED_CLASS.matcher(plain).replaceAll("$1");
	}

	private static String rootClass(Throwable exception) {
		Throwable root = exception;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getClass().getSimpleName();
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
