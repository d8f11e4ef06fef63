package org.spgateway.audit;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;

/**
 * One AuditEvent as the few values the gateway's events are made of (BALP's shape, see {@link AuditEvents}), and its FHIR JSON
 * written straight from them with Jackson's streaming generator. Building a HAPI model, composing it, parsing the JSON back
 * and writing it twice more took the audit writer's thread 15-27% of the gateway's CPU on reads (docs/performance.md); this
 * writes each event once, as UTF-8 and already in the chain's canonical form (keys sorted, no white space, see {@link AuditChain}),
 * hashes exactly those bytes, and stores them with the hash part and the meta spliced in as bytes, which are the two things the
 * canonical form leaves out. AuditEventJsonTest checks the result against the model-based path it replaced, key for key.
 */
final class AuditEventJson {

	/** As HAPI writes an instant (milliseconds and a numeric offset of the JVM's zone), so both paths write the same text. */
	private static final DateTimeFormatter INSTANT =
			DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx").withZone(ZoneId.systemDefault());
	/** Characters beyond the basic plane written as UTF-8 (four bytes), as Java encodes them, not as a pair of escapes. */
	private static final JsonFactory FACTORY = JsonFactory.builder().enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

	private AuditEventJson() {}

	/** A Coding; {@code display} may be null. */
	record Code(String system, String code, String display) {}

	/** A Reference: a literal {@code reference}, an identifier ({@code system}, {@code value}) or only a {@code display}. */
	record Ref(String reference, String system, String value, String display) {

		static Ref to(String reference) {
			return new Ref(reference, null, null, null);
		}

		static Ref identifier(String system, String value) {
			return new Ref(null, system, value, null);
		}
	}

	/** An agent; {@code role}, {@code name}, {@code address} (with its {@code networkType} code) may be null. */
	record Agent(Code type, Code role, Ref who, String name, boolean requestor, String address, String networkType, boolean breakGlass) {}

	/** An entity; {@code role}, {@code what} or {@code query} (the query's text, written as base64 as FHIR's base64Binary is) may be null. */
	record Entity(Code type, Code role, Ref what, String query) {}

	/** An event without its id and chain link, which the writer adds. {@code outcomeDesc} may be null. */
	record Event(Instant recorded, Code type, List<Code> subtypes, String action, String outcome, String outcomeDesc, List<Agent> agents,
			List<Entity> entities, boolean breakGlass, String observer) {}

	/** A chained event: its hash and its JSON as stored (canonical, with the hash part and the meta in place), as UTF-8. */
	record Sealed(String hash, byte[] utf8) {}

	/** An instant as the events write it ({@code recorded}, {@code meta.lastUpdated}). */
	static String instant(Instant instant) {
		return INSTANT.format(instant);
	}

	/** The event without a chain link or meta: what a write's receipt commits to {@code audit_pending}. */
	static String unchained(Event event, String id) {
		Written written = write(event, id, -1, null);
		return new String(written.json, 0, written.length, StandardCharsets.UTF_8);
	}

	/**
	 * The event as link {@code sequence} of the chain after {@code previous}: hashed over its canonical form, stored with the
	 * hash and with {@code meta} (version 1, {@code lastUpdated}) as the store would give it.
	 */
	static Sealed seal(Event event, String id, long sequence, String previous, String lastUpdated) {
		Written canonical = write(event, id, sequence, previous);
		byte[] json = canonical.json;
		String hash = AuditChain.hash(previous, json, canonical.length);
		// Sorted keys: the hash part follows "previous" inside the chain extension, and "meta" follows "id" (nothing sorts between).
		byte[] hashPart = (",{\"url\":\"hash\",\"valueString\":\"" + hash + "\"}").getBytes(StandardCharsets.US_ASCII);
		byte[] meta = (",\"meta\":{\"lastUpdated\":\"" + lastUpdated + "\",\"versionId\":\"1\"}").getBytes(StandardCharsets.US_ASCII);
		byte[] stored = new byte[canonical.length + hashPart.length + meta.length];
		int at = 0;
		at = copy(json, 0, canonical.afterPrevious, stored, at);
		at = copy(hashPart, 0, hashPart.length, stored, at);
		at = copy(json, canonical.afterPrevious, canonical.afterId, stored, at);
		at = copy(meta, 0, meta.length, stored, at);
		copy(json, canonical.afterId, canonical.length, stored, at);
		return new Sealed(hash, stored);
	}

	private static int copy(byte[] from, int start, int end, byte[] to, int at) {
		System.arraycopy(from, start, to, at, end - start);
		return at + end - start;
	}

	/** The JSON written as UTF-8 (its first {@code length} bytes), and where the chain's hash part and the meta go into it. */
	private record Written(byte[] json, int length, int afterPrevious, int afterId) {}

	/** Every object's keys in sorted order (the canonical form), so nothing needs sorting afterwards. */
	private static Written write(Event e, String id, long sequence, String previous) {
		ByteArrayBuilder out = new ByteArrayBuilder(2560);
		int afterPrevious = -1;
		int afterId;
		try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
			g.writeStartObject();
			g.writeStringField("action", e.action());
			g.writeArrayFieldStart("agent");
			for (Agent agent : e.agents()) {
				agent(g, agent);
			}
			g.writeEndArray();
			if (!e.entities().isEmpty()) {
				g.writeArrayFieldStart("entity");
				for (Entity entity : e.entities()) {
					entity(g, entity);
				}
				g.writeEndArray();
			}
			if (previous != null) {
				g.writeArrayFieldStart("extension");
				g.writeStartObject();
				g.writeArrayFieldStart("extension");
				g.writeStartObject();
				g.writeStringField("url", "sequence");
				g.writeNumberField("valueDecimal", sequence);
				g.writeEndObject();
				g.writeStartObject();
				g.writeStringField("url", "previous");
				g.writeStringField("valueString", previous);
				g.writeEndObject();
				g.flush();
				afterPrevious = out.size();
				g.writeEndArray();
				g.writeStringField("url", AuditChain.EXTENSION);
				g.writeEndObject();
				g.writeEndArray();
			}
			g.writeStringField("id", id);
			g.flush();
			afterId = out.size();
			g.writeStringField("outcome", e.outcome());
			if (e.outcomeDesc() != null) {
				g.writeStringField("outcomeDesc", text(e.outcomeDesc()));
			}
			if (e.breakGlass()) {
				g.writeArrayFieldStart("purposeOfEvent");
				concept(g, AuditCodes.BREAK_GLASS);
				g.writeEndArray();
			}
			g.writeStringField("recorded", INSTANT.format(e.recorded()));
			g.writeStringField("resourceType", "AuditEvent");
			g.writeObjectFieldStart("source");
			g.writeFieldName("observer");
			ref(g, Ref.identifier(AuditCodes.GATEWAY_ID, e.observer()));
			g.writeArrayFieldStart("type");
			coding(g, AuditCodes.APPLICATION_SERVER);
			g.writeEndArray();
			g.writeEndObject();
			g.writeArrayFieldStart("subtype");
			for (Code subtype : e.subtypes()) {
				coding(g, subtype);
			}
			g.writeEndArray();
			g.writeFieldName("type");
			coding(g, e.type());
			g.writeEndObject();
		} catch (IOException ex) {
			throw new UncheckedIOException("Writing to memory does not fail", ex);
		}
		int length = out.size();
		// One segment (the usual event fits the first) is used as it is; a longer event is joined into one array.
		return new Written(length == out.getCurrentSegmentLength() ? out.getCurrentSegment() : out.toByteArray(), length, afterPrevious, afterId);
	}

	/**
	 * A value as Java's UTF-8 encoder sees it: a lone surrogate (possible in text from a request) becomes a question mark, as it
	 * did when events were written as characters and then encoded; Jackson's UTF-8 writer would write it as bytes no decoder
	 * reads back the same, and the chain's verifier would then find the event changed.
	 */
	private static String text(String value) {
		if (value == null) {
			return null;
		}
		for (int i = 0; i < value.length(); i++) {
			if (Character.isSurrogate(value.charAt(i))) {
				return new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
			}
		}
		return value;
	}

	private static void agent(JsonGenerator g, Agent a) throws IOException {
		g.writeStartObject();
		if (a.name() != null) {
			g.writeStringField("name", text(a.name()));
		}
		if (a.address() != null) {
			g.writeObjectFieldStart("network");
			g.writeStringField("address", text(a.address()));
			g.writeStringField("type", a.networkType());
			g.writeEndObject();
		}
		if (a.breakGlass()) {
			g.writeArrayFieldStart("purposeOfUse");
			concept(g, AuditCodes.BREAK_GLASS);
			g.writeEndArray();
		}
		g.writeBooleanField("requestor", a.requestor());
		if (a.role() != null) {
			g.writeArrayFieldStart("role");
			concept(g, a.role());
			g.writeEndArray();
		}
		g.writeFieldName("type");
		concept(g, a.type());
		g.writeFieldName("who");
		ref(g, a.who());
		g.writeEndObject();
	}

	private static void entity(JsonGenerator g, Entity e) throws IOException {
		g.writeStartObject();
		if (e.query() != null) {
			g.writeStringField("query", Base64.getEncoder().encodeToString(e.query().getBytes(StandardCharsets.UTF_8)));
		}
		if (e.role() != null) {
			g.writeFieldName("role");
			coding(g, e.role());
		}
		g.writeFieldName("type");
		coding(g, e.type());
		if (e.what() != null) {
			g.writeFieldName("what");
			ref(g, e.what());
		}
		g.writeEndObject();
	}

	private static void concept(JsonGenerator g, Code code) throws IOException {
		g.writeStartObject();
		g.writeArrayFieldStart("coding");
		coding(g, code);
		g.writeEndArray();
		g.writeEndObject();
	}

	private static void coding(JsonGenerator g, Code code) throws IOException {
		g.writeStartObject();
		g.writeStringField("code", text(code.code()));
		if (code.display() != null) {
			g.writeStringField("display", text(code.display()));
		}
		if (code.system() != null) {
			g.writeStringField("system", text(code.system()));
		}
		g.writeEndObject();
	}

	private static void ref(JsonGenerator g, Ref ref) throws IOException {
		g.writeStartObject();
		if (ref.display() != null) {
			g.writeStringField("display", text(ref.display()));
		}
		if (ref.value() != null) {
			g.writeObjectFieldStart("identifier");
			if (ref.system() != null) {
				g.writeStringField("system", text(ref.system()));
			}
			g.writeStringField("value", text(ref.value()));
			g.writeEndObject();
		}
		if (ref.reference() != null) {
			g.writeStringField("reference", text(ref.reference()));
		}
		g.writeEndObject();
	}
}
