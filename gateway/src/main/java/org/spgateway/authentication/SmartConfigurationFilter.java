package org.spgateway.authentication;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code GET /.well-known/smart-configuration}, at the server root and under the FHIR base
 * ({@code /fhir/.well-known/smart-configuration}, where SMART clients look). A filter because the FHIR
 * servlet owns every path under /fhir.
 */
public class SmartConfigurationFilter extends OncePerRequestFilter {

	public static final String PATH = "/.well-known/smart-configuration";

	private final SmartDiscovery discovery;
	private final ObjectMapper json = new ObjectMapper();

	public SmartConfigurationFilter(SmartDiscovery discovery) {
		this.discovery = discovery;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String path = request.getRequestURI();
		if (!path.equals(PATH) && !path.equals("/fhir" + PATH)) {
			chain.doFilter(request, response);
			return;
		}
		if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
			response.setHeader("Allow", "GET, HEAD");
			response.sendError(405);
			return;
		}
		byte[] body = json.writeValueAsString(discovery.configuration(request)).getBytes(StandardCharsets.UTF_8);
		response.setStatus(200);
		response.setContentType("application/json");
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
	}
}
