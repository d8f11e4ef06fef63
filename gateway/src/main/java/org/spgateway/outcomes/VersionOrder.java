package org.spgateway.outcomes;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Orders business versions the way people read them, so that "the current version" never depends on
 * the order in which versions were loaded or created: 1.10.0 after 1.9.0, 2.0.0 after 2.0.0-rc1, and
 * 2025-06 after 2024-12. Versions are split into runs of digits and of letters; digit runs compare as
 * numbers, letter runs alphabetically, and a version that stops where another goes on with letters
 * (a pre-release such as -rc1) is the later one. A missing version is the earliest; equal readings
 * fall back to the plain text, so the order is total.
 */
public final class VersionOrder implements Comparator<String> {

	public static final VersionOrder INSTANCE = new VersionOrder();

	private VersionOrder() {}

	@Override
	public int compare(String a, String b) {
		if (a == null || b == null) {
			return a == null ? (b == null ? 0 : -1) : 1;
		}
		List<String> x = tokens(a);
		List<String> y = tokens(b);
		int n = Math.min(x.size(), y.size());
		for (int i = 0; i < n; i++) {
			int c = compareToken(x.get(i), y.get(i));
			if (c != 0) {
				return c;
			}
		}
		if (x.size() != y.size()) {
			// The longer one goes on: with digits it is later (1.0.1 > 1.0), with letters earlier (1.0-rc1 < 1.0).
			List<String> longer = x.size() > y.size() ? x : y;
			boolean later = isNumber(longer.get(n));
			int sign = x.size() > y.size() ? 1 : -1;
			return later ? sign : -sign;
		}
		return a.compareTo(b);
	}

	private static int compareToken(String a, String b) {
		boolean na = isNumber(a);
		boolean nb = isNumber(b);
		if (na && nb) {
			return new BigInteger(a).compareTo(new BigInteger(b));
		}
		if (na != nb) {
			// A release number outranks a pre-release label at the same place: 1.0.1 > 1.0.beta.
			return na ? 1 : -1;
		}
		return a.compareToIgnoreCase(b);
	}

	private static boolean isNumber(String token) {
		return Character.isDigit(token.charAt(0));
	}

	private static List<String> tokens(String version) {
		List<String> tokens = new ArrayList<>();
		StringBuilder current = new StringBuilder();
		Boolean digits = null;
		for (char ch : version.toCharArray()) {
			if (!Character.isLetterOrDigit(ch)) {
				flush(tokens, current);
				digits = null;
				continue;
			}
			boolean d = Character.isDigit(ch);
			if (digits != null && d != digits) {
				flush(tokens, current);
			}
			current.append(ch);
			digits = d;
		}
		flush(tokens, current);
		return tokens;
	}

	private static void flush(List<String> tokens, StringBuilder current) {
		if (!current.isEmpty()) {
			tokens.add(current.toString());
			current.setLength(0);
		}
	}
}
