package org.spgateway.mapping;

import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.hl7.fhir.r4.model.Bundle;
import org.spgateway.server.SystemProvider;

/**
 * {@code POST /fhir/$partner-referral?partner=[id]}: a referral in a partner's own flat JSON (a social care case system, a
 * self-referral web form), translated by the partner's inbound map and then taken exactly as a transaction sent in the
 * gateway's shape. The work is {@link PartnerReferrals}'; this is the HTTP side. HAPI does not parse the body
 * ({@code manualRequest}): it is not FHIR.
 */
public class PartnerReferralProvider implements SystemProvider {

	private static final ObjectMapper JSON = new ObjectMapper();

	private final PartnerReferrals referrals;

	PartnerReferralProvider(PartnerReferrals referrals) {
		this.referrals = referrals;
	}

	@Description(shortDefinition = "Take a referral in a partner's own JSON (not FHIR), through the partner's inbound map and the usual intake",
			value = "Query: partner, the partner's id (its folder in mappings/). Body: the partner's JSON referral, as its logical model in"
					+ " mappings/ describes it. Answers the transaction-response of the person and the referral the map made; a resend of the"
					+ " same case answers the first. 422 naming the field, or the map and rule, when the JSON cannot be translated; nothing"
					+ " is stored then. See docs/mappings.md.")
	@Operation(name = PartnerDefinition.PARTNER_REFERRAL, idempotent = false, manualRequest = true)
	public Bundle partnerReferral(RequestDetails request) {
		String[] ids = request.getParameters().get("partner");
		String id = ids == null || ids.length == 0 ? null : ids[0];
		PartnerDefinition partner = referrals.partner(id);
		if (!referrals.mayPostFor(partner, request)) {
			throw PartnerCallers.refusal(partner, "send its referrals", "partner");
		}
		byte[] body = request.loadRequestContents();
		JsonNode json;
		try {
			json = body == null || body.length == 0 ? null : JSON.readTree(body);
		} catch (IOException e) {
			int line = e instanceof JsonProcessingException j && j.getLocation() != null ? j.getLocation().getLineNr() : 0;
			throw referrals.notJson(partner, line);
		}
		return referrals.take(partner, json, request);
	}
}
