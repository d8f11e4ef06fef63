package org.spgateway.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.hl7.fhir.r4.model.Identifier;
import org.slf4j.MDC;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.fhir.Outcomes;
import org.spgateway.resources.WriteContext;
import org.spgateway.server.RequestIdFilter;

/**
 * The BaRS routing headers: base64-encoded FHIR JSON set by the sender (or the national proxy).
 * NHSD-Target-Identifier is an Identifier of the receiving service, NHSD-End-User-Organisation the
 * Organization of the user who sent the referral, NHSD-Requesting-Software the Device (system) that
 * sent it. Each is decoded and checked when present (a malformed one is a 400 naming the header), and
 * recorded on the referral's Provenance. They are read on every channel, not only BaRS messages.
 */
public final class BarsHeaders {

	public static final String TARGET_IDENTIFIER = "NHSD-Target-Identifier";
	public static final String END_USER_ORGANISATION = "NHSD-End-User-Organisation";
	public static final String REQUESTING_SOFTWARE = "NHSD-Requesting-Software";
	private static final String USER_DATA_KEY = MessageContext.class.getName();
	private static final ObjectMapper JSON = new ObjectMapper();

	private BarsHeaders() {}

	/** The request's message context, decoded once per request. {@code message} is set by the BaRS operation. */
	public static MessageContext read(WriteContext context, boolean required) {
		if (context.request() != null && context.request().getUserData().get(USER_DATA_KEY) instanceof MessageContext cached) {
			return cached;
		}
		MessageContext decoded = decode(context, null, required);
		if (context.request() != null) {
			context.request().getUserData().put(USER_DATA_KEY, decoded);
		}
		return decoded;
	}

	/** Decodes the headers for a BaRS message and attaches the result to the request, for intake to find. */
	public static MessageContext attach(WriteContext context, MessageContext.BarsMessage message, boolean required) {
		MessageContext decoded = decode(context, message, required);
		if (context.request() != null) {
			context.request().getUserData().put(USER_DATA_KEY, decoded);
		}
		return decoded;
	}

	private static MessageContext decode(WriteContext context, MessageContext.BarsMessage message, boolean required) {
		String channel = message != null ? MessageContext.BARS : context.inBundle() ? MessageContext.TRANSACTION : MessageContext.REST;
		Identifier target = null;
		JsonNode targetJson = json(context, TARGET_IDENTIFIER, "an Identifier", required);
		if (targetJson != null) {
			String system = text(targetJson, "system");
			String value = text(targetJson, "value");
			if (system == null || value == null) {
				throw bad(TARGET_IDENTIFIER + " must be an Identifier with a system and a value (the service's DoS id or the organisation's ODS code)");
			}
			system = NhsIdentifiers.canonicalSystem(system);
			if (!system.equals(NhsIdentifiers.DOS_SERVICE) && !system.equals(NhsIdentifiers.ODS_ORGANIZATION)) {
				throw bad(TARGET_IDENTIFIER + " names " + system + "|" + value + "; it must identify a service (" + NhsIdentifiers.DOS_SERVICE
						+ ") or an organisation (" + NhsIdentifiers.ODS_ORGANIZATION + ")");
			}
			target = new Identifier().setSystem(system).setValue(value.trim());
		}
		String endUserOds = null;
		String endUserName = null;
		JsonNode org = json(context, END_USER_ORGANISATION, "an Organization", required);
		if (org != null) {
			checkType(org, "Organization", END_USER_ORGANISATION);
			for (JsonNode id : org.path("identifier")) {
				if (NhsIdentifiers.is(text(id, "system"), NhsIdentifiers.ODS_ORGANIZATION) && text(id, "value") != null) {
					endUserOds = text(id, "value").trim();
					break;
				}
			}
			if (endUserOds == null) {
				throw bad(END_USER_ORGANISATION + " must be an Organization with an ODS code (identifier system " + NhsIdentifiers.ODS_ORGANIZATION + ")");
			}
			endUserName = text(org, "name");
		}
		String software = null;
		JsonNode device = json(context, REQUESTING_SOFTWARE, "a Device", required);
		if (device != null) {
			checkType(device, "Device", REQUESTING_SOFTWARE);
			String name = text(device.path("deviceName").path(0), "name");
			if (name == null) {
				name = text(device.path("type"), "text");
			}
			if (name == null) {
				throw bad(REQUESTING_SOFTWARE + " must be a Device naming the sending system (deviceName.name)");
			}
			String version = text(device.path("version").path(0), "value");
			String manufacturer = text(device, "manufacturer");
			software = name + (version == null ? "" : " " + version) + (manufacturer == null ? "" : " (" + manufacturer + ")");
		}
		return new MessageContext(channel, MDC.get(RequestIdFilter.MDC_REQUEST_ID), MDC.get(RequestIdFilter.MDC_CORRELATION_ID), target, endUserOds,
				endUserName, software, message);
	}

	private static JsonNode json(WriteContext context, String header, String what, boolean required) {
		String raw = context.header(header);
		if (raw == null || raw.isBlank()) {
			if (required) {
				throw bad("The " + header + " header is required: base64-encoded FHIR JSON of " + what);
			}
			return null;
		}
		byte[] bytes;
		String compact = raw.replaceAll("\\s", "");
		try {
			bytes = compact.contains("-") || compact.contains("_") ? Base64.getUrlDecoder().decode(compact) : Base64.getDecoder().decode(compact);
		} catch (IllegalArgumentException e) {
			throw bad("The " + header + " header is not base64: it must be base64-encoded FHIR JSON of " + what);
		}
		try {
			JsonNode node = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
			if (node == null || !node.isObject()) {
				throw new IllegalArgumentException("not an object");
			}
			return node;
		} catch (Exception e) {
			throw bad("The " + header + " header does not decode to JSON: it must be base64-encoded FHIR JSON of " + what);
		}
	}

	private static void checkType(JsonNode node, String type, String header) {
		String actual = text(node, "resourceType");
		if (actual != null && !actual.equals(type)) {
			throw bad("The " + header + " header holds a " + actual + "; it must hold a " + type);
		}
	}

	private static String text(JsonNode node, String field) {
		JsonNode value = node == null ? null : node.get(field);
		return value == null || !value.isTextual() || value.asText().isBlank() ? null : value.asText();
	}

	private static RuntimeException bad(String message) {
		return Outcomes.invalid(message, null);
	}
}
