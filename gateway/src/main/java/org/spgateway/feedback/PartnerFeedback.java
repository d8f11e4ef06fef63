package org.spgateway.feedback;

import java.util.List;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.spgateway.outbox.OutboundMessage;

/**
 * The seam through which feedback asks whether a partner definition (mapping/, mappings/) delivers feedback to a referring
 * organisation: its channel, address, headers, payload and codes-only choice, in place of the referrer's Endpoint. Feedback knows
 * nothing else about partners.
 */
public interface PartnerFeedback {

	/**
	 * How feedback to this organisation is delivered, or null when no partner definition delivers it (the partner polls, or there is
	 * none: the referrer's Endpoint, if any, is used).
	 *
	 * @param organisation the referring organisation's identifier (an ODS code)
	 */
	Shaped forOrganisation(Identifier organisation);

	/** What a partner's delivery carries. */
	enum Form {
		/** The body the partner's side makes from the feedback as carried (its map's output, an id-only notice, the codes-only Bundle). */
		BODY,
		/** The BaRS servicerequest-response message, to the partner's {@code $process-message}. */
		BARS_MESSAGE,
		/** A FHIR transaction writing what was said and its coded entries (or, codes only, the coded entries alone) on its server. */
		FHIR_TRANSACTION
	}

	/**
	 * A partner's delivery.
	 *
	 * @param channel     the outbox channel ({@code Partner/[id]})
	 * @param codesOnly   for a FHIR transaction: only the coded entries, reduced to their codes ({@link CodesOnly})
	 * @param body        for {@link Form#BODY}: the body from the feedback as carried (a collection Bundle timestamped when the feedback
	 *                    was composed: the referral, the Communication and its coded entries, the person, the provider's Task and
	 *                    organisations); null when there is nothing this partner takes (codes only, and no codes); throws when the
	 *                    partner's map cannot make it
	 */
	record Shaped(String channel, String address, List<OutboundMessage.Header> headers, Form form, boolean codesOnly, String contentType,
			Function<Bundle, String> body) {}
}
