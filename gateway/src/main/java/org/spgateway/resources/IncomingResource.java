package org.spgateway.resources;

import java.util.List;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.store.ResourceStore;
import org.spgateway.validation.ValidationIssue;

/**
 * A resource a caller sent, parsed and validated, with the warnings validation raised.
 *
 * @param assignedId the id a new resource must get because other entries of a transaction already
 *     refer to it; null lets the server choose
 * @param method how an update arrived, recorded on the version it writes: {@code PUT}, or {@code PATCH}
 *     for the result of a JSON Patch or FHIRPath Patch
 */
public record IncomingResource(Resource resource, List<ValidationIssue> warnings, String assignedId, String method) {

	public IncomingResource(Resource resource, List<ValidationIssue> warnings) {
		this(resource, warnings, null, "PUT");
	}

	public IncomingResource(Resource resource, List<ValidationIssue> warnings, String assignedId) {
		this(resource, warnings, assignedId, "PUT");
	}

	/** The result of applying a patch to the current version. */
	public static IncomingResource patched(Resource resource, List<ValidationIssue> warnings) {
		return new IncomingResource(resource, warnings, null, "PATCH");
	}

	/** The id a newly created resource gets. */
	public String newId() {
		return assignedId != null ? assignedId : ResourceStore.newId();
	}
}
