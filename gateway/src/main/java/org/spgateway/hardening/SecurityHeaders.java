package org.spgateway.hardening;

import jakarta.servlet.http.HttpServletResponse;
import java.util.Set;

/** The headers every response carries (docs/security.md#hardening). */
public final class SecurityHeaders {

	/**
	 * For everything that is not an HTML page (FHIR JSON and XML, OperationOutcomes, actuator output): nothing
	 * in it may run, load or be framed, should a browser ever render it.
	 */
	static final String API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

	/** Headers no response may carry: they name the software and version for anyone scanning for a weakness. */
	static final Set<String> BANNERS = Set.of("x-powered-by", "server");

	/** The headers set here that take one value (lower case): a second one is a replacement, not an addition. */
	static final Set<String> SINGLE = Set.of("x-content-type-options", "x-frame-options", "referrer-policy");

	private SecurityHeaders() {}

	/** Sets the headers on a response; {@code cacheControl} comes from {@link CachePolicy}. */
	public static void apply(HttpServletResponse response, String cacheControl) {
		response.setHeader("X-Content-Type-Options", "nosniff");
		response.setHeader("X-Frame-Options", "DENY");
		response.setHeader("Referrer-Policy", "no-referrer");
		response.setHeader("Content-Security-Policy", API_POLICY);
		response.setHeader("Cache-Control", cacheControl);
	}

	/** For answers made outside the application (Tomcat's own error reports): never cached. */
	public static void applyNoStore(HttpServletResponse response) {
		apply(response, CachePolicy.NO_STORE);
	}
}
