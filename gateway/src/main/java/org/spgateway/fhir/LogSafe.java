package org.spgateway.fhir;

import java.util.regex.Pattern;

/**
 * Exceptions made fit for the log: messages from PostgreSQL, parsers and validators quote the values
 * they choke on ({@code Key (value_norm)=(smith)}, {@code Invalid attribute value "9434765919"}), and a
 * log must never hold a value from a payload. The copy keeps every exception's class and stack frames,
 * which is what finding the fault needs, and redacts the messages.
 */
public final class LogSafe {

	private static final String HIDDEN = "…";
	/** PostgreSQL's constraint details: Key (col, col)=(value, value). */
	private static final Pattern KEY_DETAIL = Pattern.compile("\\)=\\(.*\\)");
	private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`|«[^»]*»");
	/** Unquoted values that are still recognisable: runs of digits (NHS numbers, dates, phone numbers). */
	private static final Pattern DIGITS = Pattern.compile("\\d{3,}");
	private static final int MAX_LENGTH = 300;

	private LogSafe() {}

	/** The message with values hidden. */
	public static String message(String message) {
		if (message == null) {
			return null;
		}
		String safe = KEY_DETAIL.matcher(message).replaceAll(")=(" + HIDDEN + ")");
		safe = QUOTED.matcher(safe).replaceAll(HIDDEN);
		safe = DIGITS.matcher(safe).replaceAll(HIDDEN);
		return safe.length() > MAX_LENGTH ? safe.substring(0, MAX_LENGTH) + HIDDEN : safe;
	}

	/** A copy of the exception and its causes, each named by its class, with redacted messages and the original stack frames. */
	public static Throwable redacted(Throwable failure) {
		return redacted(failure, 0);
	}

	private static Throwable redacted(Throwable failure, int depth) {
		if (failure == null || depth > 20) {
			return null;
		}
		String text = failure.getClass().getName() + (failure.getMessage() == null ? "" : ": " + message(failure.getMessage()));
		Redacted copy = new Redacted(text, failure.getCause() == failure ? null : redacted(failure.getCause(), depth + 1));
		copy.setStackTrace(failure.getStackTrace());
		return copy;
	}

	/** Stands in for a logged exception; its message starts with the original class name. */
	static final class Redacted extends RuntimeException {

		private static final long serialVersionUID = 1L;

		Redacted(String message, Throwable cause) {
			super(message, cause, false, true);
		}
	}
}
