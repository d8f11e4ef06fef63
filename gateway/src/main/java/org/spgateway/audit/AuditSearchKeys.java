package org.spgateway.audit;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityComponent;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.UriType;

/**
 * The keys an AuditEvent's search parameters match, kept beside it in {@code audit_event.search_keys} (one GIN index
 * serves every parameter but the date). A key is {@code name=value}, in the forms a search value takes:
 * <ul>
 * <li>tokens: {@code subtype=code}, {@code subtype=system|code}, {@code subtype=system|} (and {@code subtype=|code} for a
 * code without a system);</li>
 * <li>references: {@code entity=Task/1}, {@code entity=Task/1/_history/2} for a versioned one, {@code entity=1} (a bare id),
 * and their identifiers as {@code entity:identifier=system|value} and {@code entity:identifier=value};</li>
 * <li>strings: {@code agent-name=demo-gp} lower-case (matched from the start, as FHIR string search does) and
 * {@code agent-name:exact=demo-gp} as written.</li>
 * </ul>
 * The parameters are R4's AuditEvent search parameters, with their R4 expressions.
 */
final class AuditSearchKeys {

	static final String ACTION_SYSTEM = "http://hl7.org/fhir/audit-event-action";
	static final String OUTCOME_SYSTEM = "http://hl7.org/fhir/audit-event-outcome";

	private final Set<String> keys = new LinkedHashSet<>();

	private AuditSearchKeys() {}

	static String[] of(AuditEvent event) {
		AuditSearchKeys out = new AuditSearchKeys();
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
		String ref = reference.getReference();
		if (ref != null && !ref.isEmpty()) {
			int history = ref.indexOf("/_history/");
			String versionless = history < 0 ? ref : ref.substring(0, history);
			add(name, versionless);
			if (history >= 0) {
				add(name, ref);
			}
			int slash = versionless.lastIndexOf('/');
			if (slash >= 0) {
				add(name, versionless.substring(slash + 1));
			}
		}
		if (reference.hasIdentifier()) {
			Identifier identifier = reference.getIdentifier();
			token(name + ":identifier", identifier.getSystem(), identifier.getValue());
		}
	}

	/** R4's patient parameter: agent.who and entity.what where they are Patients. */
	private void patient(Reference reference) {
		String ref = reference == null ? null : reference.getReference();
		if (ref != null && ref.startsWith("Patient/")) {
			reference("patient", new Reference(ref));
		}
	}

	private void string(String name, String value) {
		if (value != null && !value.isBlank()) {
			add(name, value.toLowerCase(Locale.ROOT));
			add(name + ":exact", value);
		}
	}

	private void add(String name, String value) {
		if (value != null && !value.isEmpty()) {
			keys.add(name + "=" + value);
		}
	}
}
