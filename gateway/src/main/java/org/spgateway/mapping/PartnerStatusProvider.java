package org.spgateway.mapping;

import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.spgateway.fhir.Outcomes;
import org.spgateway.resources.WriteContext;
import org.spgateway.security.RequestGate;
import org.spgateway.server.SystemProvider;

/**
 * {@code POST /fhir/Task/[id]/$partner-status}: a provider platform posts a status change of a referral's Task in its own words
 * (a Parameters body: partner, status, note), translated by the partner's ConceptMap and applied through the Task's lifecycle rules.
 */
public class PartnerStatusProvider implements SystemProvider {

	private final PartnerStatusUpdates updates;

	public PartnerStatusProvider(PartnerStatusUpdates updates) {
		this.updates = updates;
	}

	@Description(shortDefinition = "A provider platform's status word applied to a referral Task",
			value = "partner (the partner's id in mappings/), status (the platform's own word), note (its own words: the reason or outcome"
					+ " text). The partner's inbound status-update ConceptMap gives the Task's status, step and closing output; the Task's"
					+ " lifecycle rules apply (409 for a forbidden move). Answers the Task as stored. See docs/mappings.md.")
	@Operation(name = "$partner-status", typeName = "Task", idempotent = false)
	public Resource partnerStatus(@IdParam IdType id,
			@OperationParam(name = "partner", min = 1, max = 1) StringType partner,
			@OperationParam(name = "status", min = 1, max = 1) CodeType status,
			@OperationParam(name = "note", min = 0, max = 1) StringType note,
			RequestDetails request) {
		if (partner == null || !partner.hasValue()) {
			throw Outcomes.invalid("$partner-status needs the partner's id: a 'partner' parameter", "Parameters.parameter");
		}
		if (status == null || !status.hasValue()) {
			throw Outcomes.invalid("$partner-status needs the partner's status word: a 'status' parameter", "Parameters.parameter");
		}
		WriteContext context = new WriteContext(request, RequestGate.scopeOf(request), false);
		return updates.apply(id.getIdPart(), partner.getValue(), status.getValue(), note == null ? null : note.getValue(), context).resource();
	}
}
