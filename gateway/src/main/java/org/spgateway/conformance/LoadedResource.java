package org.spgateway.conformance;

import org.hl7.fhir.r4.model.Resource;

/** A conformance resource and the file it came from (for error messages and provenance). */
public record LoadedResource(String source, Resource resource) {

	public String type() {
		return resource.fhirType();
	}

	public String id() {
		return resource.getIdElement().getIdPart();
	}
}
