package org.spgateway.server;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import ca.uhn.fhir.rest.server.ServletRequestTracing;
import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an X-Request-Id (the caller's if it is a valid UUID, else a new one) and an
 * X-Correlation-Id (the caller's, else a new one), echoes both in the response and puts them in the
 * logging context so that every log line of the request carries them.
 */
public class RequestIdFilter extends OncePerRequestFilter {

	public static final String REQUEST_ID = "X-Request-Id";
	public static final String CORRELATION_ID = "X-Correlation-Id";
	public static final String MDC_REQUEST_ID = "requestId";
	public static final String MDC_CORRELATION_ID = "correlationId";
	private static final Pattern UUID_PATTERN = Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
	/** Correlation ids are the caller's; accept any short, printable token so logs stay safe. */
	private static final Pattern TOKEN = Pattern.compile("^[A-Za-z0-9._:\\-]{1,128}$");

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String requestId = request.getHeader(REQUEST_ID);
		if (requestId == null || !UUID_PATTERN.matcher(requestId).matches()) {
			requestId = UUID.randomUUID().toString();
		}
		String correlationId = request.getHeader(CORRELATION_ID);
		if (correlationId == null || !TOKEN.matcher(correlationId).matches()) {
			correlationId = UUID.randomUUID().toString();
		}
		response.setHeader(REQUEST_ID, requestId);
		response.setHeader(CORRELATION_ID, correlationId);
		request.setAttribute(REQUEST_ID, requestId);
		request.setAttribute(CORRELATION_ID, correlationId);
		// HAPI takes its request id from this attribute, so RequestDetails.getRequestId() is ours too.
		request.setAttribute(ServletRequestTracing.ATTRIBUTE_REQUEST_ID, requestId);
		MDC.put(MDC_REQUEST_ID, requestId);
		MDC.put(MDC_CORRELATION_ID, correlationId);
		try {
			chain.doFilter(request, new SingleIdHeaders(response));
		} finally {
			MDC.remove(MDC_REQUEST_ID);
			MDC.remove(MDC_CORRELATION_ID);
		}
	}

	/** HAPI adds X-Request-Id again; keep one header, not two. */
	private static final class SingleIdHeaders extends HttpServletResponseWrapper {

		SingleIdHeaders(HttpServletResponse response) {
			super(response);
		}

		@Override
		public void addHeader(String name, String value) {
			if (REQUEST_ID.equalsIgnoreCase(name) || CORRELATION_ID.equalsIgnoreCase(name)) {
				super.setHeader(name, value);
			} else {
				super.addHeader(name, value);
			}
		}
	}
}
