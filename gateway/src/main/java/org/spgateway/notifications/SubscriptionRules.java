package org.spgateway.notifications;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Subscription.SubscriptionChannelType;
import org.spgateway.fhir.Outcomes;
import org.spgateway.outbox.OutboundMessage;
import org.spgateway.security.OutboundAddressRules;
import org.spgateway.security.OutboundRefusals;
import org.spgateway.store.SearchParameterRegistry;
import org.spgateway.store.SearchRequestParser;
import org.spgateway.validation.ValidationIssue;

/**
 * What the gateway accepts in a Subscription beyond the base specification: criteria it can evaluate,
 * a rest-hook channel to an absolute (by default https) URL, a payload it can send, and headers it can
 * put on the wire. Every problem found is reported at once, each with the FHIRPath of its element.
 */
public class SubscriptionRules {

	public static final String FHIR_JSON = "application/fhir+json";
	public static final String FHIR_XML = "application/fhir+xml";

	private static final Pattern HEADER_NAME = Pattern.compile("^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$");
	/** Headers the gateway or the HTTP stack sets itself: a subscriber cannot replace them. */
	private static final Set<String> RESERVED_HEADERS = Set.of("host", "content-length", "content-type", "transfer-encoding", "connection",
			"keep-alive", "expect", "upgrade", "te", "trailer", "date", "from", "via", "warning", "user-agent", "x-request-id",
			"x-correlation-id");

	private final SearchParameterRegistry registry;
	private final SearchRequestParser parser;
	private final Set<String> subscribableTypes;
	private final boolean requireHttps;
	private final OutboundAddressRules addresses;
	private final HeaderValues headerValues;

	/** Puts a stored Subscription's write-only header values back for delivery (security.HeaderSecretRecords#reveal). */
	@FunctionalInterface
	public interface HeaderValues {
		List<String> reveal(String type, String id, List<String> headers);
	}

	public SubscriptionRules(SearchParameterRegistry registry, SearchRequestParser parser, Set<String> subscribableTypes,
			boolean requireHttps, OutboundAddressRules addresses, HeaderValues headerValues) {
		this.registry = registry;
		this.parser = parser;
		this.subscribableTypes = subscribableTypes;
		this.requireHttps = requireHttps;
		this.addresses = addresses;
		this.headerValues = headerValues;
	}

	/** Reads a Subscription the gateway is about to store; a 422 listing every problem if it cannot serve it. */
	public NotifiableSubscription check(Subscription subscription, String id, int version) {
		List<ValidationIssue> issues = new ArrayList<>();
		NotifiableSubscription result = read(subscription, id, version, issues);
		// Only for a version being written: a stored Subscription whose host has since moved inward is caught at delivery.
		String endpoint = endpoint(subscription.getChannel(), new ArrayList<>());
		ValidationIssue refused = endpoint == null ? null
				: OutboundRefusals.check(addresses, URI.create(endpoint), "Subscription.channel.endpoint");
		if (refused != null) {
			issues.add(refused);
		}
		if (!issues.isEmpty()) {
			throw Outcomes.unprocessable(issues);
		}
		return result;
	}

	/** Reads a stored Subscription; null (with the problems in {@code issues}) if it cannot be served. */
	public NotifiableSubscription read(Subscription subscription, String id, int version, List<ValidationIssue> issues) {
		SubscriptionCriteria criteria = null;
		try {
			criteria = SubscriptionCriteria.parse(subscription.getCriteria(), registry, parser, subscribableTypes);
		} catch (SubscriptionCriteria.Invalid e) {
			issues.add(ValidationIssue.error(IssueType.NOTSUPPORTED, e.getMessage(), "Subscription.criteria"));
		}
		Subscription.SubscriptionChannelComponent channel = subscription.getChannel();
		if (channel.getType() != SubscriptionChannelType.RESTHOOK) {
			issues.add(ValidationIssue.error(IssueType.NOTSUPPORTED, "Channel type '" + (channel.hasType() ? channel.getType().toCode() : "")
					+ "' is not supported; this gateway delivers notifications by rest-hook only", "Subscription.channel.type"));
		}
		String endpoint = endpoint(channel, issues);
		String payload = payload(channel, issues);
		List<OutboundMessage.Header> headers = headersOf(channel, issues);
		if (id != null && !headers.isEmpty()) {
			List<String> masked = headers.stream().map(h -> h.name() + ": " + h.value()).toList();
			List<String> revealed = headerValues.reveal("Subscription", id, masked);
			headers = revealed.stream().map(h -> new OutboundMessage.Header(h.substring(0, h.indexOf(':')).trim(),
					h.substring(h.indexOf(':') + 1).trim())).toList();
		}
		Instant end = subscription.hasEnd() ? subscription.getEnd().toInstant() : null;
		boolean on = subscription.getStatus() == Subscription.SubscriptionStatus.REQUESTED
				|| subscription.getStatus() == Subscription.SubscriptionStatus.ACTIVE;
		if (end != null && on && !end.isAfter(Instant.now())) {
			issues.add(ValidationIssue.error(IssueType.BUSINESSRULE, "Subscription.end " + subscription.getEndElement().getValueAsString()
					+ " is in the past: the subscription would never notify. Remove end, move it to the future, or set status to off",
					"Subscription.end"));
		}
		if (!issues.isEmpty()) {
			return null;
		}
		return new NotifiableSubscription(id, version, subscription.getStatus(), criteria, endpoint, List.copyOf(headers), payload, end);
	}

	private String endpoint(Subscription.SubscriptionChannelComponent channel, List<ValidationIssue> issues) {
		String expression = "Subscription.channel.endpoint";
		if (!channel.hasEndpoint()) {
			issues.add(ValidationIssue.error(IssueType.REQUIRED, "A rest-hook Subscription needs channel.endpoint: the URL notifications are sent to",
					expression));
			return null;
		}
		String endpoint = channel.getEndpoint().trim();
		URI uri;
		try {
			uri = new URI(endpoint);
		} catch (URISyntaxException e) {
			issues.add(ValidationIssue.error(IssueType.VALUE, "channel.endpoint '" + endpoint + "' is not a valid URL: " + e.getReason(), expression));
			return null;
		}
		String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
		if (!uri.isAbsolute() || uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
			issues.add(ValidationIssue.error(IssueType.VALUE, "channel.endpoint '" + endpoint + "' must be an absolute https:// URL", expression));
			return null;
		}
		if (requireHttps && !scheme.equals("https")) {
			issues.add(ValidationIssue.error(IssueType.SECURITY, "channel.endpoint must use https: notifications carry patient data"
					+ " (this gateway has gateway.notifications.require-https=true)", expression));
			return null;
		}
		if (uri.getRawUserInfo() != null) {
			issues.add(ValidationIssue.error(IssueType.SECURITY, "channel.endpoint must not carry credentials; send them in channel.header"
					+ " (e.g. 'Authorization: Bearer ...')", expression));
			return null;
		}
		if (uri.getRawFragment() != null) {
			issues.add(ValidationIssue.error(IssueType.VALUE, "channel.endpoint must not have a #fragment", expression));
			return null;
		}
		return endpoint;
	}

	private static String payload(Subscription.SubscriptionChannelComponent channel, List<ValidationIssue> issues) {
		if (!channel.hasPayload()) {
			return null;
		}
		String mime = channel.getPayload().split(";")[0].trim().toLowerCase(Locale.ROOT);
		return switch (mime) {
			case FHIR_JSON, "application/json", "json" -> FHIR_JSON;
			case FHIR_XML, "application/xml", "xml" -> FHIR_XML;
			default -> {
				issues.add(ValidationIssue.error(IssueType.NOTSUPPORTED, "channel.payload '" + channel.getPayload() + "' is not supported: use "
						+ FHIR_JSON + " (or " + FHIR_XML + ") for the full resource, or leave it out for notifications without a body",
						"Subscription.channel.payload"));
				yield null;
			}
		};
	}

	/** The channel's headers as sent; with {@code issues} null, unusable ones are skipped silently. */
	static List<OutboundMessage.Header> headersOf(Subscription.SubscriptionChannelComponent channel, List<ValidationIssue> found) {
		List<ValidationIssue> issues = found != null ? found : new ArrayList<>();
		List<OutboundMessage.Header> headers = new ArrayList<>();
		List<StringType> raw = channel.getHeader();
		for (int i = 0; i < raw.size(); i++) {
			String expression = "Subscription.channel.header[" + i + "]";
			String h = raw.get(i).getValue();
			if (h == null || h.isBlank()) {
				continue;
			}
			int colon = h.indexOf(':');
			if (colon <= 0) {
				issues.add(ValidationIssue.error(IssueType.VALUE, "channel.header[" + i + "] must look like 'Name: value'", expression));
				continue;
			}
			String name = h.substring(0, colon).trim();
			String value = h.substring(colon + 1).trim();
			if (!HEADER_NAME.matcher(name).matches()) {
				issues.add(ValidationIssue.error(IssueType.VALUE, "channel.header[" + i + "]: '" + name + "' is not a valid HTTP header name", expression));
			} else if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
				issues.add(ValidationIssue.error(IssueType.BUSINESSRULE, "channel.header[" + i + "]: " + name
						+ " is set by the gateway on every notification and cannot be replaced", expression));
			} else if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
				issues.add(ValidationIssue.error(IssueType.VALUE, "channel.header[" + i + "]: the value must be on one line", expression));
			} else {
				headers.add(new OutboundMessage.Header(name, value));
			}
		}
		return headers;
	}
}
