package org.spgateway.mapping;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.hl7.fhir.r4.model.StringType;
import org.spgateway.outbox.OutboundMessage;
import org.spgateway.security.HeaderSecretRecords;
import org.spgateway.validation.ValidationIssue;

/**
 * A partner's delivery headers: the descriptor's own ({@code delivery.headers}) and its secret ones ({@code delivery.secretHeaders}),
 * whose values an administrator sets with {@code $partner-headers}. Secrets are kept as Subscription and Endpoint header values
 * are: write-only, encrypted at rest in {@code header_secret} (holder type {@value #HOLDER}, id the partner's), and in the outbox's
 * rows, which encrypt header values too.
 */
class PartnerHeaders {

	static final String HOLDER = "Partner";

	private final HeaderSecretRecords secrets;

	PartnerHeaders(HeaderSecretRecords secrets) {
		this.secrets = secrets;
	}

	/** The headers a delivery carries now: the descriptor's, then each secret that is set (an unset one is left off). */
	List<OutboundMessage.Header> forDelivery(PartnerDefinition partner) {
		List<OutboundMessage.Header> out = new ArrayList<>();
		new TreeMap<>(partner.delivery().headers()).forEach((name, value) -> out.add(new OutboundMessage.Header(name, value)));
		if (!partner.delivery().secretHeadersOrNone().isEmpty()) {
			Map<String, String> stored = secrets.values(HOLDER, partner.id());
			for (String name : partner.delivery().secretHeadersOrNone()) {
				stored.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
						.ifPresent(e -> out.add(new OutboundMessage.Header(name, e.getValue())));
			}
		}
		return out;
	}

	/** The secret headers that are set, by name as the descriptor spells them. */
	List<String> set(PartnerDefinition partner) {
		Map<String, String> stored = secrets.values(HOLDER, partner.id());
		return partner.delivery().secretHeadersOrNone().stream()
				.filter(name -> stored.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(name))).toList();
	}

	/**
	 * Sets secret values ({@code Name: value}; {@code Name: ***} keeps the stored one), in the descriptor's order; secrets not
	 * given keep their values. Call inside a transaction. Returns the problems the header store finds (nothing is changed then).
	 */
	List<ValidationIssue> update(PartnerDefinition partner, Map<String, String> given, String expression) {
		Map<String, String> stored = secrets.values(HOLDER, partner.id());
		List<StringType> all = new ArrayList<>();
		for (String name : partner.delivery().secretHeadersOrNone()) {
			String value = given.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst()
					.orElse(stored.keySet().stream().anyMatch(k -> k.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)))
							? HeaderSecretRecords.MASK : null);
			if (value != null) {
				all.add(new StringType(name + ": " + value));
			}
		}
		return secrets.protect(HOLDER, partner.id(), all, expression);
	}
}
