package org.spgateway.intake;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.spgateway.testsupport.Fixtures;

/** Referral request bodies for tests: fixtures with ${PLACEHOLDERS} filled in, and valid NHS numbers. */
final class Referrals {

	private Referrals() {}

	/** A random NHS number with a valid Modulus 11 check digit (in the 999 test range). */
	static String nhsNumber() {
		while (true) {
			String nine = "999" + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
			int sum = 0;
			for (int i = 0; i < 9; i++) {
				sum += (nine.charAt(i) - '0') * (10 - i);
			}
			int check = 11 - (sum % 11);
			if (check == 11) {
				check = 0;
			}
			if (check != 10) {
				return nine + check;
			}
		}
	}

	/** An NHS number whose check digit is wrong. */
	static String badNhsNumber() {
		String good = nhsNumber();
		int last = good.charAt(9) - '0';
		return good.substring(0, 9) + ((last + 1) % 10);
	}

	static String referralId() {
		return "REF-" + UUID.randomUUID();
	}

	/** A fixture next to this class with each ${KEY} replaced. */
	static String fill(String fixture, Map<String, String> values) {
		String text = Fixtures.text(Referrals.class, fixture);
		for (Map.Entry<String, String> e : values.entrySet()) {
			text = text.replace("${" + e.getKey() + "}", e.getValue());
		}
		if (text.contains("${")) {
			throw new IllegalArgumentException("Unfilled placeholder in " + fixture + ": " + text.substring(text.indexOf("${"), text.indexOf("${") + 20));
		}
		return text;
	}
}
