package org.spgateway.server;

import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.EncodingEnum;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The encodings the gateway reads and answers in: FHIR JSON and XML (and the browser view of either).
 * HAPI also knows RDF Turtle and would read and answer it; the gateway's validation, intake and
 * documentation speak JSON and XML only.
 */
final class ResponseFormats {

	private ResponseFormats() {}

	/** A _format value that asks for JSON or XML, or the browser view of either (ResponseHighlighterInterceptor's html/json). */
	static boolean known(String value) {
		String format = value.toLowerCase(Locale.ROOT);
		if (format.equals("html") || format.equals("text/html") || format.startsWith("html/")) {
			format = format.startsWith("html/") ? format.substring(5) : "json";
		}
		EncodingEnum encoding = EncodingEnum.forContentType(format);
		return encoding == EncodingEnum.JSON || encoding == EncodingEnum.XML;
	}

	/** A request body the gateway reads: FHIR JSON or XML, JSON Patch, or a search form. */
	static boolean knownBody(String contentType) {
		String type = mediaType(contentType);
		if (type.equals(Constants.CT_JSON_PATCH) || type.equals("application/x-www-form-urlencoded")) {
			return true;
		}
		EncodingEnum encoding = EncodingEnum.forContentType(type);
		return encoding == EncodingEnum.JSON || encoding == EncodingEnum.XML;
	}

	static boolean asksForRdf(String accept) {
		return Arrays.stream(accept.split(",")).anyMatch(ResponseFormats::isRdf);
	}

	/** The Accept header without its RDF media types; empty if nothing else was acceptable. */
	static String withoutRdf(String accept) {
		return Arrays.stream(accept.split(",")).filter(part -> !isRdf(part) && !part.isBlank()).map(String::trim)
				.collect(Collectors.joining(", "));
	}

	private static boolean isRdf(String acceptPart) {
		return EncodingEnum.forContentType(mediaType(acceptPart)) == EncodingEnum.RDF;
	}

	private static String mediaType(String value) {
		return value.toLowerCase(Locale.ROOT).replaceAll(";.*", "").trim();
	}
}
