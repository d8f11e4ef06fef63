package org.spgateway.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * The hash chain over AuditEvents. Each event carries the extension {@value #EXTENSION} with its
 * {@code sequence} (1, 2, 3 ...), the {@code previous} event's hash and its own {@code hash}:
 * {@code sha256(previous + "\n" + canonical JSON of the event)}, lower-case hex. The canonical form is the
 * event's FHIR JSON without {@code meta.versionId}, {@code meta.lastUpdated} (set by the store when it is
 * written) and without the {@code hash} part itself, with object keys sorted and no white space, so a
 * verifier gets the same bytes from the stored text however it was re-serialised.
 */
public final class AuditChain {

	public static final String EXTENSION = "https://spgateway.org/fhir/StructureDefinition/audit-chain";
	/** The previous hash of the first event. */
	public static final String GENESIS = "0".repeat(64);

	/** Decimals exactly as written: 2.50 is not 2.5 in FHIR, and PostgreSQL's jsonb keeps the difference too. */
	private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
			.setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
	private static final JsonFactory FACTORY = new JsonFactory();

	private AuditChain() {}

	/** A sealed event: its hash, and its JSON tree with the hash in place (no meta yet). */
	public record Sealed(String hash, ObjectNode json) {

		/** The event's JSON as stored, with the store's meta. */
		public String stored(String versionId, String lastUpdated) {
			ObjectNode out = JSON.createObjectNode();
			out.set("resourceType", json.get("resourceType"));
			if (json.has("id")) {
				out.set("id", json.get("id"));
			}
			out.putObject("meta").put("versionId", versionId).put("lastUpdated", lastUpdated);
			json.fields().forEachRemaining(field -> {
				if (!out.has(field.getKey())) {
					out.set(field.getKey(), field.getValue());
				}
			});
			try {
				return JSON.writeValueAsString(out);
			} catch (JsonProcessingException e) {
				throw new IllegalStateException("A JSON tree always writes", e);
			}
		}
	}

	/**
	 * Chains an event kept as JSON (a write's event from {@code audit_pending}) as link {@code sequence} after {@code previous}:
	 * adds the chain extension to its JSON tree and the hash of the result.
	 */
	public static Sealed seal(String json, long sequence, String previous) {
		ObjectNode root = parse(json);
		ArrayNode extensions = root.get("extension") instanceof ArrayNode a ? a : root.putArray("extension");
		for (Iterator<JsonNode> i = extensions.iterator(); i.hasNext();) {
			if (EXTENSION.equals(i.next().path("url").asText())) {
				i.remove();
			}
		}
		ObjectNode chain = extensions.addObject();
		ArrayNode parts = chain.putArray("extension");
		parts.addObject().put("url", "sequence").put("valueDecimal", BigDecimal.valueOf(sequence));
		parts.addObject().put("url", "previous").put("valueString", previous);
		chain.put("url", EXTENSION);
		String hash = hash(previous, canonical(root));
		parts.addObject().put("url", "hash").put("valueString", hash);
		return new Sealed(hash, root);
	}

	public static String hash(String previous, String canonical) {
		byte[] utf8 = canonical.getBytes(StandardCharsets.UTF_8);
		return hash(previous, utf8, utf8.length);
	}

	/** {@link #hash(String, String)} of a canonical form already in UTF-8: its first {@code length} bytes. */
	static String hash(String previous, byte[] canonicalUtf8, int length) {
		try {
			MessageDigest sha = MessageDigest.getInstance("SHA-256");
			sha.update(previous.getBytes(StandardCharsets.US_ASCII));
			sha.update((byte) '\n');
			sha.update(canonicalUtf8, 0, length);
			return HexFormat.of().formatHex(sha.digest());
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("Every Java runtime has SHA-256", e);
		}
	}

	/** The parts of a stored event's chain extension, as found in its JSON. */
	public record Link(BigDecimal sequence, String previous, String hash) {}

	/** The event's chain extension as stored, or null when it has none. */
	public static Link linkOf(String json) {
		ObjectNode root = parse(json);
		ObjectNode chain = chainNode(root);
		if (chain == null) {
			return null;
		}
		BigDecimal sequence = null;
		String previous = null;
		String hash = null;
		for (JsonNode part : chain.path("extension")) {
			switch (part.path("url").asText()) {
				case "sequence" -> sequence = part.path("valueDecimal").isNumber() ? part.path("valueDecimal").decimalValue() : null;
				case "previous" -> previous = part.path("valueString").asText(null);
				case "hash" -> hash = part.path("valueString").asText(null);
				default -> { }
			}
		}
		return new Link(sequence, previous, hash);
	}

	/** The canonical form of a stored (or just encoded) event: what its hash covers. */
	public static String canonical(String json) {
		return canonical(parse(json));
	}

	/** As {@link #canonical(String)}, on a parsed tree, which loses its meta stamps and its hash part. */
	static String canonical(ObjectNode root) {
		if (root.get("meta") instanceof ObjectNode meta) {
			meta.remove("versionId");
			meta.remove("lastUpdated");
			if (meta.isEmpty()) {
				root.remove("meta");
			}
		}
		ObjectNode chain = chainNode(root);
		if (chain != null && chain.get("extension") instanceof ArrayNode parts) {
			for (Iterator<JsonNode> i = parts.iterator(); i.hasNext();) {
				if ("hash".equals(i.next().path("url").asText())) {
					i.remove();
				}
			}
		}
		StringWriter out = new StringWriter(1024);
		try (JsonGenerator generator = FACTORY.createGenerator(out)) {
			write(root, generator);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return out.toString();
	}

	static ObjectNode chainNode(ObjectNode root) {
		for (JsonNode extension : root.path("extension")) {
			if (extension instanceof ObjectNode o && EXTENSION.equals(o.path("url").asText())) {
				return o;
			}
		}
		return null;
	}

	static ObjectNode parse(String json) {
		try {
			JsonNode node = JSON.readTree(json);
			if (node instanceof ObjectNode object) {
				return object;
			}
			throw new IllegalArgumentException("Not a JSON object");
		} catch (JsonProcessingException e) {
			throw new IllegalArgumentException("Not JSON: " + e.getOriginalMessage(), e);
		}
	}

	/** Keys sorted by UTF-16 code units (as RFC 8785 does), arrays in order, numbers in plain notation, no white space. */
	private static void write(JsonNode node, JsonGenerator out) throws IOException {
		if (node.isObject()) {
			List<String> names = new ArrayList<>();
			node.fieldNames().forEachRemaining(names::add);
			names.sort(null);
			out.writeStartObject();
			for (String name : names) {
				out.writeFieldName(name);
				write(node.get(name), out);
			}
			out.writeEndObject();
		} else if (node.isArray()) {
			out.writeStartArray();
			for (JsonNode item : node) {
				write(item, out);
			}
			out.writeEndArray();
		} else if (node.isNumber()) {
			out.writeRawValue(node.isBigDecimal() ? node.decimalValue().toPlainString() : node.numberValue().toString());
		} else if (node.isTextual()) {
			out.writeString(node.textValue());
		} else if (node.isBoolean()) {
			out.writeBoolean(node.booleanValue());
		} else {
			out.writeNull();
		}
	}
}
