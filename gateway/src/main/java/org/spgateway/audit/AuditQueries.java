package org.spgateway.audit;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * A search's query string as the audit trail keeps it: every parameter and modifier, with the values of
 * parameters that carry personal details (names, addresses, birth dates, contact details, identifiers such
 * as the NHS number, free text) replaced by {@code *}. Ids, codes, dates of records and paging stay, which
 * is what tells an auditor what was looked at.
 */
final class AuditQueries {

	static final String HIDDEN = "*";
	private static final Set<String> PERSONAL = Set.of("name", "family", "given", "phonetic", "address", "address-city", "address-country",
			"address-postalcode", "address-state", "address-use", "birthdate", "death-date", "telecom", "phone", "email", "identifier",
			"_content", "_text", "_filter", "text", "description", "note", "value-string", "answer", "payload");

	private AuditQueries() {}

	static String redacted(String query) {
		if (query == null || query.isEmpty()) {
			return query;
		}
		StringBuilder out = new StringBuilder(query.length());
		for (String pair : query.split("&")) {
			if (pair.isEmpty()) {
				continue;
			}
			int eq = pair.indexOf('=');
			String name = eq < 0 ? pair : pair.substring(0, eq);
			String value = eq < 0 ? null : pair.substring(eq + 1);
			out.append(out.length() == 0 ? "" : "&").append(name);
			if (value != null) {
				out.append('=').append(personal(decode(name)) ? HIDDEN : value);
			}
		}
		return out.toString();
	}

	/** Whether a parameter (with chains and modifiers: {@code subject:Patient.name:exact}) may carry personal details. */
	static boolean personal(String parameter) {
		for (String part : parameter.toLowerCase(Locale.ROOT).split("[.:]")) {
			if (PERSONAL.contains(part)) {
				return true;
			}
		}
		return false;
	}

	private static String decode(String raw) {
		try {
			return URLDecoder.decode(raw, StandardCharsets.UTF_8);
		} catch (IllegalArgumentException e) {
			// A malformed escape: judged on the raw text, which still names the parameter.
			return raw;
		}
	}
}
