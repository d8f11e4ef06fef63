package org.spgateway.server;

import ca.uhn.fhir.rest.api.MethodOutcome;
import org.hl7.fhir.r4.model.IdType;
import org.spgateway.fhir.Outcomes;
import org.spgateway.resources.WriteOutcome;

/** Turns a {@link WriteOutcome} into what HAPI needs to honour Prefer: return=... and set Location/ETag. */
final class MethodOutcomes {

	private MethodOutcomes() {}

	static MethodOutcome of(WriteOutcome outcome) {
		MethodOutcome result = new MethodOutcome();
		result.setId(new IdType(outcome.stored().type(), outcome.stored().id(), Integer.toString(outcome.stored().version())));
		result.setResource(outcome.resource());
		result.setCreated(outcome.created());
		result.setOperationOutcome(Outcomes.of(outcome.warnings()));
		return result;
	}
}
