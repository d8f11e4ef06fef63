package org.spgateway.mapping;

import java.util.List;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.StructureMap;
import org.spgateway.conformance.ConformanceException;
import org.spgateway.feedback.PartnerFeedback;
import org.spgateway.mapping.PartnerDefinition.Channel;
import org.spgateway.mapping.PartnerDefinition.Direction;
import org.spgateway.mapping.PartnerDefinition.Message;
import org.spgateway.outbox.OutboundMessage;

/**
 * Feedback to a referrer that a partner definition shapes: the partner speaking for the referring organisation, with an outbound
 * feedback map and delivery by its own webhook ({@code json-webhook}), gets the map's output at its endpoint: plain JSON when the
 * map's target is a logical model, FHIR JSON when it is a resource (a document Bundle, a message). Any other referrer's feedback
 * is the gateway's own (BaRS message or transaction to its Endpoint).
 */
class PartnerFeedbackShaping implements PartnerFeedback {

	private final Partners partners;
	private final MapEngine engine;

	PartnerFeedbackShaping(Partners partners, MapEngine engine) {
		this.partners = partners;
		this.engine = engine;
		for (PartnerDefinition partner : partners.all()) {
			partner.mapFor(Direction.OUTBOUND, Message.FEEDBACK).flatMap(engine::byUrl).ifPresent(map -> check(partner, map));
		}
	}

	/** An outbound feedback map reads the feedback as carried (a Bundle), and is delivered by the partner's own webhook. */
	private void check(PartnerDefinition partner, StructureMap map) {
		if (!"Bundle".equals(engine.sourceType(map))) {
			throw new ConformanceException(partner.source(), "has the outbound feedback map " + map.getUrl() + ", which reads a "
					+ engine.sourceType(map) + ": feedback maps read the feedback as the gateway carries it, a Bundle");
		}
		if (partner.delivery().channel() != Channel.JSON_WEBHOOK) {
			throw new ConformanceException(partner.source(), "has the outbound feedback map " + map.getUrl()
					+ " but delivers by " + partner.delivery().channel().name().toLowerCase().replace('_', '-')
					+ ": a partner's feedback map's output goes to its own webhook (channel json-webhook)");
		}
	}

	@Override
	public Shaped forOrganisation(Identifier organisation) {
		if (!organisation.hasSystem() || !organisation.hasValue()) {
			return null;
		}
		PartnerDefinition partner = partners.forOrganization(organisation.getSystem(), organisation.getValue()).orElse(null);
		if (partner == null || partner.delivery().channel() != Channel.JSON_WEBHOOK) {
			return null;
		}
		StructureMap map = partner.mapFor(Direction.OUTBOUND, Message.FEEDBACK).flatMap(engine::byUrl).orElse(null);
		if (map == null) {
			return null;
		}
		List<OutboundMessage.Header> headers = partner.delivery().headers().entrySet().stream()
				.map(h -> new OutboundMessage.Header(h.getKey(), h.getValue())).toList();
		if (engine.writesJson(map)) {
			return new Shaped("Partner/" + partner.id(), partner.delivery().endpoint(), headers, "application/json",
					feedback -> engine.toJson(map, feedback).toString());
		}
		return new Shaped("Partner/" + partner.id(), partner.delivery().endpoint(), headers, "application/fhir+json",
				feedback -> engine.fhirJson(engine.transform(map, feedback)));
	}
}
