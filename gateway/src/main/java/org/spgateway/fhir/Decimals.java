package org.spgateway.fhir;

/**
 * How long a decimal would be written out, read from its text alone. Java's BigDecimal expands
 * {@code 1e999999} into a million digits (the cost grows with the square of the exponent: 1.4 s for
 * {@code 1e100000}, minutes beyond), and HAPI does exactly that for every decimal it parses, so a size
 * check must happen on the text, before any parser sees it.
 */
public final class Decimals {

	/**
	 * Most digits a decimal may have written out without an exponent. FHIR asks for 18 digits of
	 * precision; HAPI writes decimals out in full and refuses to read back a number over 1,000
	 * characters, so anything near that would be stored but never readable again. 100 leaves room for
	 * any measurement while costing microseconds to expand.
	 */
	public static final int MAX_DIGITS = 100;

	private Decimals() {}

	/**
	 * The number of digits the FHIR decimal {@code text} has written out in full, or -1 if the text is not
	 * a decimal (FHIR's grammar, with or without an exponent). Never builds the number itself.
	 */
	public static long writtenOutDigits(String text) {
		if (text == null || text.isEmpty()) {
			return -1;
		}
		int i = 0;
		int n = text.length();
		if (text.charAt(i) == '-' || text.charAt(i) == '+') {
			i++;
		}
		int intStart = i;
		while (i < n && isDigit(text.charAt(i))) {
			i++;
		}
		int intDigits = i - intStart;
		int fractionDigits = 0;
		if (i < n && text.charAt(i) == '.') {
			i++;
			int fractionStart = i;
			while (i < n && isDigit(text.charAt(i))) {
				i++;
			}
			fractionDigits = i - fractionStart;
			if (fractionDigits == 0) {
				return -1;
			}
		}
		if (intDigits == 0) {
			return -1;
		}
		long exponent = 0;
		if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
			i++;
			boolean negative = false;
			if (i < n && (text.charAt(i) == '-' || text.charAt(i) == '+')) {
				negative = text.charAt(i) == '-';
				i++;
			}
			int expStart = i;
			while (i < n && isDigit(text.charAt(i))) {
				// Saturate rather than overflow: any exponent this large is refused anyway.
				exponent = Math.min(exponent * 10 + (text.charAt(i) - '0'), Integer.MAX_VALUE);
				i++;
			}
			if (i == expStart) {
				return -1;
			}
			exponent = negative ? -exponent : exponent;
		}
		if (i != n) {
			return -1;
		}
		// Digits d1..dk with the point after position p; leading zeros of the integer part do not count.
		int leadingZeros = 0;
		while (leadingZeros < intDigits - 1 && text.charAt(intStart + leadingZeros) == '0') {
			leadingZeros++;
		}
		long digits = (long) intDigits - leadingZeros + fractionDigits;
		long point = (long) intDigits - leadingZeros + exponent;
		if (point > 0) {
			return Math.max(point, digits);
		}
		return digits - point + 1;
	}

	/** Whether {@code text} is a decimal too long written out for the gateway to hold. */
	public static boolean tooLong(String text) {
		return writtenOutDigits(text) > MAX_DIGITS;
	}

	private static boolean isDigit(char c) {
		return c >= '0' && c <= '9';
	}
}
