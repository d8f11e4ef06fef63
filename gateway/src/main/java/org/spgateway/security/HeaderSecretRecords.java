package org.spgateway.security;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.StringType;
import org.spgateway.fhir.Outcomes;
import org.spgateway.validation.ValidationIssue;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Partners' header values (Subscription.channel.header, Endpoint.header: their own bearer tokens and
 * API keys) are write-only. The stored resource says {@code Name: ***}, so every way a resource leaves
 * the gateway (read, search, history, includes, notifications) shows the name and never the value;
 * the values live in table {@code header_secret}, encrypted with {@link SecretCipher}, and are put
 * back only for delivery ({@link #reveal}). A client updating a resource may send {@code Name: ***}
 * back as it read it, and the stored value is kept.
 */
public class HeaderSecretRecords {

	public static final String MASK = "***";

	private final JdbcTemplate jdbc;
	private final SecretCipher cipher;

	public HeaderSecretRecords(JdbcTemplate jdbc, SecretCipher cipher) {
		this.jdbc = jdbc;
		this.cipher = cipher;
	}

	private record Stored(int position, String name, String value) {}

	/** As {@link #protect(String, String, List, String)}, refusing the write (422) if any header is unusable. */
	public void protectOrRefuse(String type, String id, List<StringType> headers, String expression) {
		List<ValidationIssue> issues = protect(type, id, headers, expression);
		if (!issues.isEmpty()) {
			throw Outcomes.unprocessable(issues);
		}
	}

	/**
	 * Stores the real values of {@code headers} for a resource about to be written and masks them in
	 * place. Call inside the write's transaction, before the resource is stored. Returns the problems
	 * (a mask with no stored value behind it, a value on more than one line); nothing is changed then.
	 *
	 * @param expression the FHIRPath of the header list, e.g. {@code Subscription.channel.header}
	 */
	public List<ValidationIssue> protect(String type, String id, List<StringType> headers, String expression) {
		List<Stored> before = load(type, id);
		List<ValidationIssue> issues = new ArrayList<>();
		List<Stored> after = new ArrayList<>();
		for (int i = 0; i < headers.size(); i++) {
			String h = headers.get(i).getValue();
			int colon = h == null ? -1 : h.indexOf(':');
			if (colon <= 0) {
				continue;
			}
			String name = h.substring(0, colon).trim();
			String value = h.substring(colon + 1).trim();
			String at = expression + "[" + i + "]";
			if (value.equals(MASK)) {
				Stored kept = keptValue(before, i, name);
				if (kept == null) {
					issues.add(ValidationIssue.error(IssueType.VALUE, at + ": '" + name + ": " + MASK + "' keeps the stored value of " + name
							+ ", but none is stored; send the value itself", at));
					continue;
				}
				value = kept.value();
			} else if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
				issues.add(ValidationIssue.error(IssueType.VALUE, at + ": the value must be on one line", at));
				continue;
			}
			after.add(new Stored(i, name, value));
		}
		if (!issues.isEmpty()) {
			return issues;
		}
		jdbc.update("DELETE FROM header_secret WHERE resource_type = ? AND resource_id = ?", type, id);
		for (Stored s : after) {
			jdbc.update("INSERT INTO header_secret (resource_type, resource_id, position, name, value) VALUES (?, ?, ?, ?, ?)", type, id,
					s.position(), s.name(), cipher.encrypt(s.value()));
			headers.get(s.position()).setValue(s.name() + ": " + MASK);
		}
		return issues;
	}

	/** The stored value a mask at {@code position} stands for: the same position and name, else the first of that name. */
	private static Stored keptValue(List<Stored> before, int position, String name) {
		for (Stored s : before) {
			if (s.position() == position && s.name().equalsIgnoreCase(name)) {
				return s;
			}
		}
		return before.stream().filter(s -> s.name().equalsIgnoreCase(name)).findFirst().orElse(null);
	}

	/**
	 * The headers as they go on the wire: each masked one with its stored value. Headers that are not
	 * masked (a resource stored before values were kept here) are returned as they are.
	 */
	public List<String> reveal(String type, String id, List<String> headers) {
		if (headers.stream().noneMatch(h -> h != null && h.endsWith(MASK))) {
			return headers;
		}
		Map<Integer, Stored> byPosition = new HashMap<>();
		load(type, id).forEach(s -> byPosition.put(s.position(), s));
		List<String> out = new ArrayList<>(headers.size());
		for (int i = 0; i < headers.size(); i++) {
			String h = headers.get(i);
			Stored s = byPosition.get(i);
			int colon = h == null ? -1 : h.indexOf(':');
			boolean masked = colon > 0 && h.substring(colon + 1).trim().equals(MASK);
			out.add(masked && s != null && s.name().toLowerCase(Locale.ROOT).equals(h.substring(0, colon).trim().toLowerCase(Locale.ROOT))
					? s.name() + ": " + s.value() : h);
		}
		return out;
	}

	/**
	 * The stored values of a holder that is not a resource (a partner definition's secret headers, holder type {@code Partner}), by
	 * header name in the order stored; for delivery only.
	 */
	public Map<String, String> values(String type, String id) {
		Map<String, String> out = new LinkedHashMap<>();
		load(type, id).forEach(s -> out.put(s.name(), s.value()));
		return out;
	}

	private List<Stored> load(String type, String id) {
		return jdbc.query("SELECT position, name, value FROM header_secret WHERE resource_type = ? AND resource_id = ? ORDER BY position",
				(rs, n) -> new Stored(rs.getInt("position"), rs.getString("name"), cipher.decrypt(rs.getString("value"))), type, id);
	}
}
