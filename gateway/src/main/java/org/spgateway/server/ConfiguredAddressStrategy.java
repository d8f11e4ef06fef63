package org.spgateway.server;

import ca.uhn.fhir.rest.server.IServerAddressStrategy;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The FHIR base written into every link the gateway makes (Location headers, Bundle fullUrls and paging
 * links, BaRS source endpoints): {@code gateway.public-base-url}, or with none set
 * {@code http://localhost:<the port the request arrived on>/fhir}. Never the request's {@code Host} or
 * {@code X-Forwarded-*} headers, which the caller chooses: a forged Host would otherwise send the next
 * client (or a cached page) to another server with its token.
 */
final class ConfiguredAddressStrategy implements IServerAddressStrategy {

	private final String publicBaseUrl;
	private final boolean tls;

	/**
	 * @param publicBaseUrl the configured base, or null
	 * @param tls whether the gateway serves TLS itself ({@code server.ssl.enabled}), for the base used without one
	 */
	ConfiguredAddressStrategy(String publicBaseUrl, boolean tls) {
		this.publicBaseUrl = publicBaseUrl == null || publicBaseUrl.isBlank() ? null : withoutTrailingSlash(publicBaseUrl.trim());
		this.tls = tls;
	}

	@Override
	public String determineServerBase(ServletContext servletContext, HttpServletRequest request) {
		if (publicBaseUrl != null) {
			return publicBaseUrl;
		}
		// The socket's own port, not the Host header's.
		return (tls ? "https" : "http") + "://localhost:" + request.getLocalPort() + request.getContextPath() + "/fhir";
	}

	private static String withoutTrailingSlash(String url) {
		return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
	}
}
