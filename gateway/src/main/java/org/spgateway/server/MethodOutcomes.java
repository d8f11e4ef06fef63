package org.spgateway.server;

import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.hl7.fhir.r4.model.IdType;
import org.spgateway.fhir.Outcomes;
import org.spgateway.resources.WriteOutcome;
import org.spgateway.store.StoredResource;

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

	/**
	 * An update that created its resource also answers with a Location header naming the new version, as
	 * FHIR's update interaction requires; HAPI gives a PUT a Content-Location only.
	 */
	static MethodOutcome ofUpdate(WriteOutcome outcome, RequestDetails request) {
		if (outcome.created()) {
			StoredResource stored = outcome.stored();
			request.getResponse().addHeader(Constants.HEADER_LOCATION,
					request.getFhirServerBase() + "/" + stored.versionedId());
		}
		return of(outcome);
	}
}
