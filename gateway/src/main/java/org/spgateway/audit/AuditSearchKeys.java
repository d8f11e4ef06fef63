package org.spgateway.audit;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityComponent;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.UriType;

/**
 * The keys an AuditEvent's search parameters match, stored beside it ({@link #columns}): one GIN index over
 * {@code audit_event.key_hashes} serves every parameter but the date, the {@link #CODE_PARAMETERS code parameters}
 * (their keys in {@code code_hashes}, not indexed) and string searches by a value's start ({@code names}).
 * A key is {@code name=value}, in the forms a search value takes:
 * <ul>
 * <li>tokens: {@code subtype=code}, {@code subtype=system|code}, {@code subtype=system|} (and {@code subtype=|code} for a
 * code without a system);</li>
 * <li>references: {@code entity=Task/1}, and {@code entity=Task/1/_history/2} for a versioned one (a search by a bare id looks
 * for it with each resource type, {@link AuditSearch}), and their identifiers as {@code entity:identifier=system|value} and
 * {@code entity:identifier=value};</li>
 * <li>strings: {@code agent-name=demo-gp} lower-case (matched from the start, as FHIR string search does) and
 * {@code agent-name:exact=demo-gp} as written.</li>
 * </ul>
 * The parameters are R4's AuditEvent search parameters, with their R4 expressions.
 */
final class AuditSearchKeys {

	/**
	 * Parameters whose values are a handful of codes nearly every event shares: their keys go to {@code audit_event.code_hashes}
	 * (not indexed), the rest to {@code key_hashes} (GIN), so an event pays index entries only for keys that pick it out
	 * ({@link #isCode}).
	 */
	static final Set<String> CODE_PARAMETERS = Set.of("type", "subtype", "action", "agent-role", "entity-type", "entity-role", "source");

	/** Parameters searched by a value's start, ignoring case: their lower-case keys are kept as text. */
	private static final Set<String> STRING_PARAMETERS = AuditSearch.PARAMETERS.entrySet().stream()
			.filter(p -> p.getValue() == AuditSearch.Kind.STRING).map(Map.Entry::getKey).collect(Collectors.toUnmodifiableSet());

	private static final HashFunction FINGERPRINT = Hashing.farmHashFingerprint64();

	static final String ACTION_SYSTEM = "http://hl7.org/fhir/audit-event-action";
	static final String OUTCOME_SYSTEM = "http://hl7.org/fhir/audit-event-outcome";

	/** Success, the outcome of nearly every event: a search for it reads most of the trail whether indexed or not. */
	private static final Set<String> SUCCESS = Set.of("outcome=0", "outcome=" + OUTCOME_SYSTEM + "|0");

	/** The keys as text ({@link #of}), or null when they go straight into their columns. */
	private final Set<String> keys;
	private final ColumnsBuilder columns;

	private AuditSearchKeys(boolean text) {
		keys = text ? new LinkedHashSet<>() : null;
		columns = text ? null : new ColumnsBuilder();
	}

	/**
	 * The columns of an event the writer is about to append: {@code columns(of(event))}, made without a string set of its keys (a
	 * third of the writer's thread went to that set and to sorting its keys again, docs/performance.md).
	 */
	static Columns columnsOf(AuditEventJson.Event event) {
		AuditSearchKeys out = new AuditSearchKeys(false);
		out.event(event);
		return out.columns.build();
	}

	/** The keys of an event the gateway is about to write: the same keys {@link #of(AuditEvent)} finds in its JSON. */
	static String[] of(AuditEventJson.Event event) {
		AuditSearchKeys out = new AuditSearchKeys(true);
		out.event(event);
		return out.keys.toArray(new String[0]);
	}

	private void event(AuditEventJson.Event event) {
		code("type", event.type());
		event.subtypes().forEach(c -> code("subtype", c));
		token("action", ACTION_SYSTEM, event.action());
		token("outcome", OUTCOME_SYSTEM, event.outcome());
		for (AuditEventJson.Agent agent : event.agents()) {
			reference("agent", agent.who());
			patient(agent.who().reference());
			string("agent-name", agent.name());
			code("agent-role", agent.role());
			string("address", agent.address());
		}
		for (AuditEventJson.Entity entity : event.entities()) {
			reference("entity", entity.what());
			patient(entity.what() == null ? null : entity.what().reference());
			code("entity-type", entity.type());
			code("entity-role", entity.role());
		}
		reference("source", AuditEventJson.Ref.identifier(AuditCodes.GATEWAY_ID, event.observer()));
	}

	/** The keys of an event as stored (one written before this version, read back for its keys). */
	static String[] of(AuditEvent event) {
		AuditSearchKeys out = new AuditSearchKeys(true);
		out.coding("type", event.getType());
		event.getSubtype().forEach(c -> out.coding("subtype", c));
		if (event.hasAction()) {
			out.token("action", ACTION_SYSTEM, event.getAction().toCode());
		}
		if (event.hasOutcome()) {
			out.token("outcome", OUTCOME_SYSTEM, event.getOutcome().toCode());
		}
		for (AuditEventAgentComponent agent : event.getAgent()) {
			out.reference("agent", agent.getWho());
			out.patient(agent.getWho());
			out.string("agent-name", agent.getName());
			agent.getRole().forEach(r -> out.concept("agent-role", r));
			if (agent.hasAltId()) {
				out.token("altid", null, agent.getAltId());
			}
			for (UriType policy : agent.getPolicy()) {
				out.add("policy", policy.getValue());
			}
			if (agent.hasNetwork()) {
				out.string("address", agent.getNetwork().getAddress());
			}
		}
		for (AuditEventEntityComponent entity : event.getEntity()) {
			out.reference("entity", entity.getWhat());
			out.patient(entity.getWhat());
			out.string("entity-name", entity.getName());
			out.coding("entity-type", entity.getType());
			out.coding("entity-role", entity.getRole());
		}
		out.reference("source", event.getSource().getObserver());
		if (event.getSource().hasSite()) {
			out.token("site", null, event.getSource().getSite());
		}
		return out.keys.toArray(new String[0]);
	}

	/**
	 * An event's keys as audit_event stores them. A key is stored as its 64-bit FarmHash fingerprint (Guava's, whose output is
	 * fixed for good), not its text: eight bytes instead of about fifty, so the row stays small enough not to be compressed for
	 * them and the GIN index compares numbers; this halved PostgreSQL's work per event (docs/performance.md). A search hashes
	 * its values the same way. The lower-case forms of string parameters stay text in {@code names}, as a search by a value's
	 * start needs the characters.
	 */
	record Columns(long[] keyHashes, long[] codeHashes, String[] names) {}

	static Columns columns(String[] keys) {
		ColumnsBuilder out = new ColumnsBuilder();
		for (String key : keys) {
			out.add(key);
		}
		return out.build();
	}

	/**
	 * Whether a key is kept in code_hashes, not indexed: a code parameter's, a system's alone ({@code outcome=system|}, which
	 * every event with a value in that system has) or success. Everything else picks events out and is indexed.
	 */
	static boolean isCode(String key) {
		return isCode(key, parameter(key));
	}

	private static boolean isCode(String key, String parameter) {
		return key.endsWith("|") || CODE_PARAMETERS.contains(parameter) || parameter.equals("outcome") && SUCCESS.contains(key);
	}

	/** A key as stored in key_hashes and code_hashes, and as a search looks for it. */
	static long hash(String key) {
		return FINGERPRINT.hashString(key, StandardCharsets.UTF_8).asLong();
	}

	/** The parameter a key is for: {@code source} of {@code source:identifier=...}, {@code type} of {@code type=rest}. */
	static String parameter(String key) {
		int end = key.indexOf('=');
		int colon = key.indexOf(':');
		return key.substring(0, colon >= 0 && colon < end ? colon : end);
	}

	private void code(String name, AuditEventJson.Code code) {
		if (code != null) {
			token(name, code.system(), code.code());
		}
	}

	private void reference(String name, AuditEventJson.Ref ref) {
		if (ref == null) {
			return;
		}
		reference(name, ref.reference());
		if (ref.value() != null) {
			token(name + ":identifier", ref.system(), ref.value());
		}
	}

	private void concept(String name, CodeableConcept concept) {
		concept.getCoding().forEach(c -> coding(name, c));
	}

	private void coding(String name, Coding coding) {
		if (coding != null && coding.hasCode()) {
			token(name, coding.getSystem(), coding.getCode());
		}
	}

	private void token(String name, String system, String code) {
		if (code == null || code.isEmpty()) {
			return;
		}
		add(name, code);
		if (system == null || system.isEmpty()) {
			add(name, "|" + code);
		} else {
			add(name, system + "|" + code);
			add(name, system + "|");
		}
	}

	private void reference(String name, Reference reference) {
		if (reference == null) {
			return;
		}
		reference(name, reference.getReference());
		if (reference.hasIdentifier()) {
			Identifier identifier = reference.getIdentifier();
			token(name + ":identifier", identifier.getSystem(), identifier.getValue());
		}
	}

	private void reference(String name, String ref) {
		if (ref != null && !ref.isEmpty()) {
			int history = ref.indexOf("/_history/");
			String versionless = history < 0 ? ref : ref.substring(0, history);
			add(name, versionless);
			if (history >= 0) {
				add(name, ref);
			}
		}
	}

	/** R4's patient parameter: agent.who and entity.what where they are Patients. */
	private void patient(Reference reference) {
		patient(reference == null ? null : reference.getReference());
	}

	private void patient(String ref) {
		if (ref != null && ref.startsWith("Patient/")) {
			reference("patient", ref);
		}
	}

	private void string(String name, String value) {
		if (value != null && !value.isBlank()) {
			add(name, value.toLowerCase(Locale.ROOT));
			add(name + ":exact", value);
		}
	}

	private void add(String name, String value) {
		if (value == null || value.isEmpty()) {
			return;
		}
		String key = name + "=" + value;
		if (keys != null) {
			keys.add(key);
		} else {
			columns.add(key);
		}
	}

	/** An event's columns, a key at a time, each key once, in the order first given. */
	private static final class ColumnsBuilder {

		private final Fingerprints indexed = new Fingerprints();
		private final Fingerprints codes = new Fingerprints();
		private final List<String> names = new ArrayList<>(4);

		void add(String key) {
			String parameter = parameter(key);
			if (isCode(key, parameter)) {
				codes.addOnce(hash(key));
			} else if (STRING_PARAMETERS.contains(parameter) && key.charAt(parameter.length()) == '=') {
				if (!names.contains(key)) {
					names.add(key);
				}
			} else {
				indexed.addOnce(hash(key));
			}
		}

		Columns build() {
			return new Columns(indexed.toArray(), codes.toArray(), names.toArray(new String[0]));
		}
	}

	/** A short list of fingerprints without repeats (an event has a few dozen keys: a scan beats hashing them again). */
	private static final class Fingerprints {

		private long[] values = new long[16];
		private int size;

		void addOnce(long value) {
			for (int i = 0; i < size; i++) {
				if (values[i] == value) {
					return;
				}
			}
			if (size == values.length) {
				values = Arrays.copyOf(values, size * 2);
			}
			values[size++] = value;
		}

		long[] toArray() {
			return Arrays.copyOf(values, size);
		}
	}
}
