package org.spgateway.server;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The metrics endpoint answers in Prometheus' text formats only (docs/operations.md#metrics). The jar leaves out
 * the Prometheus protobuf writer (issue 14: 2.1 MB of shaded protobuf), but Spring Boot still offers its media type
 * and would fail, not fall back, on a scraper that asks for it first. So a scraper's protobuf choice is taken out
 * of its Accept header here, and it gets the text format it lists next (every Prometheus lists one), or the
 * classic text format when it listed nothing else. Nothing is lost: protobuf only adds native histograms, which
 * Micrometer does not publish.
 */
final class PrometheusTextFormat extends OncePerRequestFilter {

	static final String PROTOBUF = "application/vnd.google.protobuf";
	private static final String CLASSIC_TEXT = "text/plain;version=0.0.4";

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String accept = request.getHeader(HttpHeaders.ACCEPT);
		if (accept == null || !accept.contains(PROTOBUF)) {
			chain.doFilter(request, response);
			return;
		}
		String text = Arrays.stream(accept.split(",")).filter(type -> !type.contains(PROTOBUF)).collect(Collectors.joining(","));
		chain.doFilter(new AcceptOverride(request, text.isBlank() ? CLASSIC_TEXT : text), response);
	}
}
