package org.spgateway.resources;

import java.util.List;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.validation.ValidationIssue;

/** A resource a caller sent, parsed and validated, with the warnings validation raised. */
public record IncomingResource(Resource resource, List<ValidationIssue> warnings) {}
