package org.spgateway.resources;

import java.util.List;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.validation.ValidationIssue;

/**
 * A resource a caller sent, parsed and validated, with the warnings validation raised.
 *
 * @param assignedId the id a new resource must get because other entries of a transaction already
 *     refer to it; null lets the server choose
 */
public record IncomingResource(Resource resource, List<ValidationIssue> warnings, String assignedId) {

	public IncomingResource(Resource resource, List<ValidationIssue> warnings) {
		this(resource, warnings, null);
	}

	/** The id a newly created resource gets. */
	public String newId() {
		return assignedId != null ? assignedId : org.spgateway.store.ResourceStore.newId();
	}
}
