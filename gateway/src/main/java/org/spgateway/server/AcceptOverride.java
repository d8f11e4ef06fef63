package org.spgateway.server;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.springframework.http.HttpHeaders;

/** A request whose {@code Accept} header is replaced: what is left of it once the types the gateway does not serve are taken out. */
final class AcceptOverride extends HttpServletRequestWrapper {

	private final String accept;

	AcceptOverride(HttpServletRequest request, String accept) {
		super(request);
		this.accept = accept;
	}

	@Override
	public String getHeader(String name) {
		return HttpHeaders.ACCEPT.equalsIgnoreCase(name) ? accept : super.getHeader(name);
	}

	@Override
	public Enumeration<String> getHeaders(String name) {
		return HttpHeaders.ACCEPT.equalsIgnoreCase(name) ? Collections.enumeration(List.of(accept)) : super.getHeaders(name);
	}
}
