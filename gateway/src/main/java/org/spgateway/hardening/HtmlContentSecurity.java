package org.spgateway.hardening;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Content-Security-Policy of an HTML page the gateway serves: HAPI's API explorer (Swagger UI, under
 * /fhir/swagger-ui/) and its browser view of resources (any FHIR URL opened in a browser). Scripts run only
 * from the gateway itself or when they are exactly the inline scripts of this page (by their SHA-256), so
 * an injected script does not run. Styles may be inline, which Swagger UI needs and which cannot run code.
 * Inline event handlers (the browser view's click-to-highlight-a-line) do not run.
 */
final class HtmlContentSecurity {

	private static final Pattern INLINE_SCRIPT = Pattern.compile("<script(\\s[^>]*)?>(.*?)</script\\s*>",
			Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
	private static final Pattern SRC = Pattern.compile("\\ssrc\\s*=", Pattern.CASE_INSENSITIVE);

	private HtmlContentSecurity() {}

	static String policyFor(String html) {
		Set<String> hashes = new LinkedHashSet<>();
		Matcher script = INLINE_SCRIPT.matcher(html);
		while (script.find()) {
			String attributes = script.group(1);
			if (attributes == null || !SRC.matcher(attributes).find()) {
				hashes.add("'sha256-" + sha256(script.group(2)) + "'");
			}
		}
		return "default-src 'none'; script-src 'self'" + (hashes.isEmpty() ? "" : " " + String.join(" ", hashes))
				+ "; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self';"
				+ " base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
	}

	private static String sha256(String text) {
		try {
			return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
		}
	}
}
