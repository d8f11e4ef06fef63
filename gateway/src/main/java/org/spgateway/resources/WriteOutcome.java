package org.spgateway.resources;

import java.util.List;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.store.StoredResource;
import org.spgateway.validation.ValidationIssue;

/**
 * The result of a create, update or patch.
 *
 * @param created true when a new resource came into being (HTTP 201)
 * @param changed false when a conditional create found the resource already there
 * @param warnings validation warnings the caller may ask to see (Prefer: return=OperationOutcome)
 */
public record WriteOutcome(StoredResource stored, Resource resource, boolean created, boolean changed, List<ValidationIssue> warnings) {}
