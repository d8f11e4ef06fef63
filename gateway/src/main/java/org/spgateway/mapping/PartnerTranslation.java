package org.spgateway.mapping;

import java.util.Optional;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StructureMap;
import org.spgateway.fhir.Outcomes;
import org.spgateway.intake.BarsHeaders;
import org.spgateway.mapping.PartnerDefinition.Direction;
import org.spgateway.mapping.PartnerDefinition.Message;
import org.spgateway.resources.IncomingTranslation;
import org.spgateway.resources.WriteContext;

/**
 * Partners' inbound referral maps applied to referrals as they arrive (REST create and update of a ServiceRequest, and
 * ServiceRequest entries of transactions and batches): a referral whose sender a partner definition names (by the requester's
 * identifier, or NHSD-End-User-Organisation) is translated by that partner's inbound referral map, and the translation then goes
 * through validation and intake like any referral. A map that fails answers 422 naming the map and rule; nothing is stored.
 */
class PartnerTranslation implements IncomingTranslation {

	private final InboundMappings inbound;
	private final MapEngine engine;

	PartnerTranslation(InboundMappings inbound, MapEngine engine) {
		this.inbound = inbound;
		this.engine = engine;
	}

	@Override
	public Translation find(Resource parsed, WriteContext context) {
		if (!(parsed instanceof ServiceRequest referral)) {
			return null;
		}
		Optional<PartnerDefinition> partner = inbound.senderOf(referral, BarsHeaders.read(context, false).endUserOrganisation());
		// A map over the partner's own JSON ran already, at $partner-referral: what it made is the gateway's shape.
		Optional<StructureMap> map = partner.flatMap(p -> p.mapFor(Direction.INBOUND, Message.REFERRAL)).flatMap(engine::byUrl)
				.filter(m -> !engine.readsJson(m));
		if (map.isEmpty()) {
			return null;
		}
		String by = "the map " + map.get().getName() + " (" + map.get().getUrl() + ") of partner " + partner.get().id();
		return new Translation(by, sent -> {
			try {
				return inbound.toGateway(partner.get(), Message.REFERRAL, sent);
			} catch (MappingFailure failure) {
				throw Outcomes.unprocessable(failure.getMessage(), sent.fhirType());
			}
		});
	}
}
