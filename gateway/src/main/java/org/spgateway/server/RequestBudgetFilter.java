package org.spgateway.server;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.spgateway.fhir.RequestDeadline;
import org.springframework.web.filter.OncePerRequestFilter;

/** Gives every FHIR request its time budget ({@code gateway.limits.request-timeout}); see {@link RequestDeadline}. */
public class RequestBudgetFilter extends OncePerRequestFilter {

	private final Duration budget;

	public RequestBudgetFilter(Duration budget) {
		this.budget = budget;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		RequestDeadline.start(budget);
		try {
			chain.doFilter(request, response);
		} finally {
			RequestDeadline.end();
		}
	}
}
