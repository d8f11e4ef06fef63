package org.spgateway.feedback;

import java.util.List;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.spgateway.outbox.OutboundMessage;

/**
 * The seam through which feedback asks whether a partner definition (mapping/, mappings/) shapes and delivers feedback to a
 * referring organisation: a partner with an outbound feedback map and its own webhook gets the map's output there, in place of
 * the BaRS message or transaction an Endpoint would get. Feedback knows nothing else about partners.
 */
public interface PartnerFeedback {

	/**
	 * How feedback to this organisation is delivered, or null when no partner definition shapes it.
	 *
	 * @param organisation the referring organisation's identifier (an ODS code)
	 */
	Shaped forOrganisation(Identifier organisation);

	/**
	 * A partner's delivery.
	 *
	 * @param channel     the outbox channel ({@code Partner/[id]})
	 * @param body        the body from the feedback as carried (a collection Bundle timestamped when the feedback was composed: the
	 *                    referral, the Communication and its coded entries, the person, the provider's Task and organisations);
	 *                    throws when the partner's map cannot make it
	 */
	record Shaped(String channel, String address, List<OutboundMessage.Header> headers, String contentType, Function<Bundle, String> body) {}
}
