package org.spgateway.feedback;

import java.util.List;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.Reference;

/**
 * Where a referrer's feedback goes: its organisation (the referrer, or for a self-referral the
 * person's registered practice) and, when the organisation lists one, the Endpoint to deliver to.
 *
 * @param recipient the referrer as the Communication names it
 * @param endpointId the Endpoint's id, null when the referrer polls
 * @param kind {@code hl7-fhir-msg} (a BaRS message to $process-message), {@code hl7-fhir-rest} (a transaction), or null
 */
record FeedbackRoute(Reference recipient, Reference organisation, String endpointId, String kind, String address, List<String> headers) {

	static final String MESSAGING = "hl7-fhir-msg";
	static final String REST = "hl7-fhir-rest";

	static FeedbackRoute polling(Reference recipient, Reference organisation) {
		return new FeedbackRoute(recipient, organisation, null, null, null, List.of());
	}

	static FeedbackRoute to(Reference recipient, Reference organisation, Endpoint endpoint) {
		String kind = endpoint.getConnectionType().getCode();
		return new FeedbackRoute(recipient, organisation, endpoint.getIdElement().getIdPart(), kind, endpoint.getAddress(),
				endpoint.getHeader().stream().map(h -> h.getValue()).toList());
	}

	boolean delivered() {
		return endpointId != null;
	}

	String channel() {
		return "Endpoint/" + endpointId;
	}
}
