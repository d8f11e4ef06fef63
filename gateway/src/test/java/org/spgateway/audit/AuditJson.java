package org.spgateway.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.hl7.fhir.r4.formats.JsonParser;
import org.hl7.fhir.r4.model.AuditEvent;

/**
 * An AuditEvent's FHIR JSON, written by the HL7 core library's generated composer rather than HAPI's encoder: HAPI's walks
 * its reflective model of every element and took about half the audit writer's CPU per event; the composer is plain
 * generated code and writes the same event in about half the time (docs/performance.md). Both give the same FHIR JSON
 * (AuditJsonTest compares the chain's canonical form of the two for every kind of event), so the stored text, its hash and
 * what a reader gets back do not depend on which one wrote it.
 */
final class AuditJson {

	private AuditJson() {}

	/**
	 * The event as JSON. Its id is written as held, so an event read back by HAPI (which makes the id {@code AuditEvent/x})
	 * must have it {@link #plainId made plain} first.
	 */
	static String encode(AuditEvent event) {
		try {
			return new JsonParser().composeString(event);
		} catch (IOException e) {
			throw new UncheckedIOException("Writing to memory does not fail", e);
		}
	}

	/** Drops the resource type and version HAPI's parser puts into a parsed resource's id, as HAPI's encoder would on output. */
	static AuditEvent plainId(AuditEvent event) {
		if (event.hasIdElement()) {
			event.setId(event.getIdElement().getIdPart());
		}
		return event;
	}
}
