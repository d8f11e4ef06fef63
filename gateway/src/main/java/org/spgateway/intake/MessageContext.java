package org.spgateway.intake;

import org.hl7.fhir.r4.model.Identifier;

/**
 * How a referral reached the gateway, as intake records it on the Provenance: channel, request and
 * correlation ids, the BaRS routing headers decoded, and for a BaRS message its id, reason, sender and
 * return address.
 *
 * @param channel bars-message, transaction or rest (CodeSystem sp-intake-channel)
 * @param targetIdentifier NHSD-Target-Identifier (canonical system), or null
 * @param endUserOrganisation the ODS code in NHSD-End-User-Organisation, or null
 * @param endUserOrganisationName its name, or null
 * @param requestingSoftware NHSD-Requesting-Software as "name version (manufacturer)", or null
 * @param message the BaRS message, or null for the other channels
 */
public record MessageContext(String channel, String requestId, String correlationId, Identifier targetIdentifier, String endUserOrganisation,
		String endUserOrganisationName, String requestingSoftware, BarsMessage message) {

	public static final String BARS = "bars-message";
	public static final String TRANSACTION = "transaction";
	public static final String REST = "rest";

	/**
	 * A BaRS message's own facts.
	 *
	 * @param reason new, update or delete
	 * @param senderOds ODS code of MessageHeader.sender's organisation, or null
	 * @param replyTo MessageHeader.source.endpoint: where the sender takes messages back
	 * @param sourceSoftware MessageHeader.source software and version
	 * @param senderKey who sent the referral, for its identity: the sender's ODS code, else MessageHeader.source.endpoint
	 * @param referralUrl the referral entry's fullUrl: with the sender, what identifies the referral across its new, update
	 *     and delete messages
	 */
	public record BarsMessage(String bundleId, String reason, String senderOds, String senderName, String replyTo, String sourceSoftware,
			String senderKey, String referralUrl) {}

	public boolean isBars() {
		return message != null;
	}

	/** The sending system, from the header or the BaRS MessageHeader. */
	public String sendingSoftware() {
		if (requestingSoftware != null) {
			return requestingSoftware;
		}
		return message != null ? message.sourceSoftware() : null;
	}
}
