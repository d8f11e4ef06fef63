package org.spgateway.mapping;

import java.util.Optional;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StructureMap;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.mapping.PartnerDefinition.Direction;
import org.spgateway.mapping.PartnerDefinition.Message;

/**
 * The seam through which intake asks for a partner's message in the gateway's shape: which partner sent
 * this, and what its inbound map makes of it. A message from an organisation no partner speaks for, or
 * from a partner with no inbound map for that kind of message, is returned as it is.
 *
 * <p>Until authentication says who the caller is, the sender of a referral is the organisation its
 * requester names by identifier, or else the sending user's organisation (NHSD-End-User-Organisation).
 */
public class InboundMappings {

	private final Partners partners;
	private final MapEngine engine;

	public InboundMappings(Partners partners, MapEngine engine) {
		this.partners = partners;
		this.engine = engine;
	}

	/** The partner that speaks for the organisation that requested this referral, if any. */
	public Optional<PartnerDefinition> senderOf(ServiceRequest referral) {
		return senderOf(referral, null);
	}

	/**
	 * The partner that sent this referral: the one speaking for the organisation its requester names by identifier, else the one
	 * speaking for the sending user's organisation ({@code endUserOds}, the ODS code in NHSD-End-User-Organisation; may be null).
	 */
	public Optional<PartnerDefinition> senderOf(ServiceRequest referral, String endUserOds) {
		if (referral.hasRequester() && referral.getRequester().hasIdentifier()) {
			Identifier requester = referral.getRequester().getIdentifier();
			if (requester.hasSystem() && requester.hasValue()) {
				Optional<PartnerDefinition> partner = partners.forOrganization(requester.getSystem(), requester.getValue());
				if (partner.isPresent()) {
					return partner;
				}
			}
		}
		return endUserOds == null ? Optional.empty() : partners.forOrganization(NhsIdentifiers.ODS_ORGANIZATION, endUserOds);
	}

	/**
	 * The message in the gateway's shape: run through the partner's inbound map for this kind of message, or unchanged when it has none.
	 *
	 * @throws MappingFailure when the map cannot translate it (answer 422 and store nothing)
	 */
	public Resource toGateway(PartnerDefinition partner, Message message, Resource incoming) {
		Optional<String> url = partner.mapFor(Direction.INBOUND, message);
		if (url.isEmpty()) {
			return incoming;
		}
		// The descriptor was checked against the loaded maps at start-up.
		StructureMap map = engine.byUrl(url.get()).orElseThrow();
		return engine.transform(map, incoming);
	}

	/** A referral as intake should see it: translated when its requester's partner has an inbound referral map. */
	public Resource referral(ServiceRequest incoming) {
		return senderOf(incoming).map(partner -> toGateway(partner, Message.REFERRAL, incoming)).orElse(incoming);
	}
}
