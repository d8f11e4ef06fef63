package org.spgateway.fhir;

import java.util.regex.Pattern;

/** Messages of libraries (HAPI, Jackson, the JDK) made fit for a caller to read. */
public final class LibraryMessages {

	private static final Pattern HAPI_CODE = Pattern.compile("HAPI-\\d+: ");
	/** A qualified exception class and its colon at the start of a wrapped message. */
	private static final Pattern QUALIFIED_EXCEPTION = Pattern.compile("\\b(?:[a-z][a-z0-9_]*+\\.)++[A-Z][A-Za-z0-9_$]*(?:Exception|Error)(?::\\s*)?");
	/** An unqualified exception class as a library's message starts with it ("DataFormatException at [row,col]: ..."). */
	private static final Pattern BARE_EXCEPTION = Pattern.compile("\\b[A-Z][A-Za-z0-9_]*Exception\\b(?::\\s*|\\s+at\\s+)?");
	/** Diagnostics longer than this quote a payload at length; they are cut before any pattern runs over them. */
	private static final int MAX_DIAGNOSTICS = 4000;
	/** Any other qualified Java name: package segments, then a class name (URLs have slashes, so they do not match). */
	private static final Pattern QUALIFIED_CLASS = Pattern.compile("\\b(?:[a-z][a-z0-9_]*+\\.){2,}+([A-Z][A-Za-z0-9_]*)(?:\\$[A-Za-z0-9_]+)*");

	private LibraryMessages() {}

	/**
	 * Diagnostics as a caller should read them: without HAPI's message codes, and without the Java
	 * exception and class names libraries put in their messages ({@code org.hl7...FHIRLexerException: },
	 * {@code java.util.ArrayList}), which mean nothing to a caller and describe the gateway's insides.
	 */
	public static String plain(String diagnostics) {
		String cut = diagnostics.length() > MAX_DIAGNOSTICS ? diagnostics.substring(0, MAX_DIAGNOSTICS) + "…" : diagnostics;
		String plain = HAPI_CODE.matcher(cut).replaceAll("");
		plain = QUALIFIED_EXCEPTION.matcher(plain).replaceAll("");
		plain = BARE_EXCEPTION.matcher(plain).replaceAll("");
		return QUALIFIED_CLASS.matcher(plain).replaceAll("$1");
	}
}
