package org.spgateway.authentication.sandbox;

import com.nimbusds.jwt.JWTParser;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.text.ParseException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * SMART Backend Services clients send a client assertion without {@code client_id} (RFC 7523 makes it
 * optional: the assertion's {@code sub} names the client); Spring Authorization Server requires it. This
 * fills it in from the assertion's {@code sub} (not yet verified: the assertion is verified afterwards, and
 * its iss and sub must both be this client).
 */
public class AssertionClientId extends OncePerRequestFilter {

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String assertion = request.getParameter("client_assertion");
		if (assertion == null || request.getParameter("client_id") != null) {
			chain.doFilter(request, response);
			return;
		}
		String subject;
		try {
			subject = JWTParser.parse(assertion).getJWTClaimsSet().getSubject();
		} catch (ParseException | RuntimeException e) {
			subject = null;
		}
		if (subject == null) {
			chain.doFilter(request, response);
			return;
		}
		Map<String, String[]> parameters = new LinkedHashMap<>(request.getParameterMap());
		parameters.put("client_id", new String[] {subject});
		chain.doFilter(new HttpServletRequestWrapper(request) {
			@Override
			public String getParameter(String name) {
				String[] values = parameters.get(name);
				return values == null || values.length == 0 ? null : values[0];
			}

			@Override
			public Map<String, String[]> getParameterMap() {
				return Collections.unmodifiableMap(parameters);
			}

			@Override
			public String[] getParameterValues(String name) {
				return parameters.get(name);
			}

			@Override
			public Enumeration<String> getParameterNames() {
				return Collections.enumeration(parameters.keySet());
			}
		}, response);
	}
}
