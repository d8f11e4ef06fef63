package org.spgateway.audit;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import org.spgateway.server.RequestIdFilter;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Opens a request's {@link RequestAudit} right after {@link RequestIdFilter}, before any filter that may
 * refuse it (time budget, size limits, authentication), and hands it to the {@link AuditTrail} once the
 * answer is written, whatever it was: so refusals made before HAPI runs are audited too.
 */
public class AuditFilter extends OncePerRequestFilter {

	private final AuditTrail trail;
	private final String serverAddress;

	/** @param serverAddress the gateway's public base URL, or null to use the address the request arrived on */
	public AuditFilter(AuditTrail trail, String serverAddress) {
		this.trail = trail;
		this.serverAddress = serverAddress;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		if (path.startsWith("/fhir")) {
			path = path.substring("/fhir".length());
		}
		// Never the Host header: it is the caller's to set. The local address is the connector the request arrived on.
		String server = serverAddress != null ? serverAddress : request.getLocalAddr() + ":" + request.getLocalPort();
		RequestAudit audit = new RequestAudit(Instant.now(), attribute(request, RequestIdFilter.REQUEST_ID),
				attribute(request, RequestIdFilter.CORRELATION_ID), request.getRemoteAddr(), server, request.getMethod(), path,
				request.getQueryString());
		audit.attach(request);
		int status = 500;
		try {
			chain.doFilter(request, response);
			status = response.getStatus();
		} finally {
			RequestAudit.detach();
			trail.completed(audit, status);
		}
	}

	private static String attribute(HttpServletRequest request, String name) {
		Object value = request.getAttribute(name);
		return value == null ? null : value.toString();
	}
}
