package org.spgateway.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
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
 * writes each event once, already in the chain's canonical form (keys sorted, no white space, see {@link AuditChain}), hashes
 * exactly those characters, and stores them with the hash part and the meta spliced in, which are the two things the canonical
 * form leaves out. AuditEventJsonTest checks the result against the model-based path it replaced, key for key.
 */
final class AuditEventJson {

	/** As HAPI writes an instant (milliseconds and a numeric offset of the JVM's zone), so both paths write the same text. */
	private static final DateTimeFormatter INSTANT =
			DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx").withZone(ZoneId.systemDefault());
	private static final JsonFactory FACTORY = new JsonFactory();

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

	/** A chained event: its hash and its JSON as stored (canonical, with the hash part and the meta in place). */
	record Sealed(String hash, String stored) {}

	/** An instant as the events write it ({@code recorded}, {@code meta.lastUpdated}). */
	static String instant(Instant instant) {
		return INSTANT.format(instant);
	}

	/** The event without a chain link or meta: what a write's receipt commits to {@code audit_pending}. */
	static String unchained(Event event, String id) {
		return write(event, id, -1, null).json;
	}

	/**
	 * The event as link {@code sequence} of the chain after {@code previous}: hashed over its canonical form, stored with the
	 * hash and with {@code meta} (version 1, {@code lastUpdated}) as the store would give it.
	 */
	static Sealed seal(Event event, String id, long sequence, String previous, String lastUpdated) {
		Written canonical = write(event, id, sequence, previous);
		String hash = AuditChain.hash(previous, canonical.json);
		String json = canonical.json;
		// Sorted keys: the hash part follows "previous" inside the chain extension, and "meta" follows "id" (nothing sorts between).
		StringBuilder stored = new StringBuilder(json.length() + 160);
		stored.append(json, 0, canonical.afterPrevious).append(",{\"url\":\"hash\",\"valueString\":\"").append(hash).append("\"}")
				.append(json, canonical.afterPrevious, canonical.afterId)
				.append(",\"meta\":{\"lastUpdated\":\"").append(lastUpdated).append("\",\"versionId\":\"1\"}")
				.append(json, canonical.afterId, json.length());
		return new Sealed(hash, stored.toString());
	}

	/** The JSON written, and where the chain's hash part and the meta go into it. */
	private record Written(String json, int afterPrevious, int afterId) {}

	/** Every object's keys in sorted order (the canonical form), so nothing needs sorting afterwards. */
	private static Written write(Event e, String id, long sequence, String previous) {
		StringWriter out = new StringWriter(1536);
		int afterPrevious = -1;
		int afterId;
		try (JsonGenerator g = FACTORY.createGenerator(out)) {
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
				afterPrevious = out.getBuffer().length();
				g.writeEndArray();
				g.writeStringField("url", AuditChain.EXTENSION);
				g.writeEndObject();
				g.writeEndArray();
			}
			g.writeStringField("id", id);
			g.flush();
			afterId = out.getBuffer().length();
			g.writeStringField("outcome", e.outcome());
			if (e.outcomeDesc() != null) {
				g.writeStringField("outcomeDesc", e.outcomeDesc());
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
		return new Written(out.toString(), afterPrevious, afterId);
	}

	private static void agent(JsonGenerator g, Agent a) throws IOException {
		g.writeStartObject();
		if (a.name() != null) {
			g.writeStringField("name", a.name());
		}
		if (a.address() != null) {
			g.writeObjectFieldStart("network");
			g.writeStringField("address", a.address());
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
		g.writeStringField("code", code.code());
		if (code.display() != null) {
			g.writeStringField("display", code.display());
		}
		if (code.system() != null) {
			g.writeStringField("system", code.system());
		}
		g.writeEndObject();
	}

	private static void ref(JsonGenerator g, Ref ref) throws IOException {
		g.writeStartObject();
		if (ref.display() != null) {
			g.writeStringField("display", ref.display());
		}
		if (ref.value() != null) {
			g.writeObjectFieldStart("identifier");
			if (ref.system() != null) {
				g.writeStringField("system", ref.system());
			}
			g.writeStringField("value", ref.value());
			g.writeEndObject();
		}
		if (ref.reference() != null) {
			g.writeStringField("reference", ref.reference());
		}
		g.writeEndObject();
	}
}
