package org.spgateway.mapping;

import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.StructureMap;
import org.spgateway.conformance.ConformanceException;
import org.spgateway.feedback.CodesOnly;
import org.spgateway.feedback.PartnerFeedback;
import org.spgateway.mapping.PartnerDefinition.Channel;
import org.spgateway.mapping.PartnerDefinition.Direction;
import org.spgateway.mapping.PartnerDefinition.Message;
import org.spgateway.mapping.PartnerDefinition.Payload;
import org.spgateway.outbox.OutboundMessage;

/**
 * Feedback to a referrer that a partner definition delivers, by its delivery options: the partner speaking for the referring
 * organisation and pushing feedback (any channel but polling) gets it at its own endpoint with its own headers (secret ones
 * included), as
 * <ul>
 * <li>{@code json-webhook}: its outbound feedback map's output (plain JSON for a logical model, FHIR JSON for a resource such as a
 * document), or with {@code codesOnly} the codes-only Bundle, or with {@code payload: id-only} the id-only notice;</li>
 * <li>{@code fhir-rest-hook}: a FHIR transaction of what was said and its coded entries (codes only: the coded entries alone), or
 * id-only the R4 backport's id-only notification Bundle;</li>
 * <li>{@code bars-process-message}: the BaRS servicerequest-response message.</li>
 * </ul>
 * A referrer without such a partner gets the gateway's own delivery (BaRS message or transaction to its Endpoint).
 */
class PartnerFeedbackShaping implements PartnerFeedback {

	private final Partners partners;
	private final MapEngine engine;
	private final PartnerHeaders headers;
	private final IdOnlyNotices notices;

	PartnerFeedbackShaping(Partners partners, MapEngine engine, PartnerHeaders headers, IdOnlyNotices notices) {
		this.partners = partners;
		this.engine = engine;
		this.headers = headers;
		this.notices = notices;
		for (PartnerDefinition partner : partners.all()) {
			partner.mapFor(Direction.OUTBOUND, Message.FEEDBACK).flatMap(engine::byUrl).ifPresent(map -> check(partner, map));
		}
	}

	/** An outbound feedback map reads the feedback as carried (a Bundle); the descriptor's own checks say where its output goes. */
	private void check(PartnerDefinition partner, StructureMap map) {
		if (!"Bundle".equals(engine.sourceType(map))) {
			throw new ConformanceException(partner.source(), "has the outbound feedback map " + map.getUrl() + ", which reads a "
					+ engine.sourceType(map) + ": feedback maps read the feedback as the gateway carries it, a Bundle");
		}
	}

	@Override
	public Shaped forOrganisation(Identifier organisation) {
		if (!organisation.hasSystem() || !organisation.hasValue()) {
			return null;
		}
		PartnerDefinition partner = partners.forOrganization(organisation.getSystem(), organisation.getValue()).orElse(null);
		if (partner == null || partner.role() != PartnerDefinition.Role.REFERRER || !partner.delivery().pushes()) {
			return null;
		}
		PartnerDefinition.Delivery delivery = partner.delivery();
		String channel = partner.outboxChannel();
		List<OutboundMessage.Header> sent = headers.forDelivery(partner);
		if (delivery.channel() == Channel.BARS_PROCESS_MESSAGE) {
			return new Shaped(channel, delivery.endpoint(), sent, Form.BARS_MESSAGE, false, delivery.fhirContentType(), null);
		}
		boolean idOnly = delivery.payloadOrDefault() == Payload.ID_ONLY;
		if (delivery.channel() == Channel.FHIR_REST_HOOK) {
			return idOnly ? new Shaped(channel, delivery.endpoint(), sent, Form.BODY, false, delivery.fhirContentType(),
					feedback -> notices.feedbackBundle(partner, feedback))
					: new Shaped(channel, delivery.endpoint(), sent, Form.FHIR_TRANSACTION, delivery.wantsCodesOnly(), delivery.fhirContentType(), null);
		}
		if (idOnly) {
			return new Shaped(channel, delivery.endpoint(), sent, Form.BODY, false, "application/json", notices::feedbackJson);
		}
		if (delivery.wantsCodesOnly()) {
			return new Shaped(channel, delivery.endpoint(), sent, Form.BODY, true, delivery.fhirContentType(), feedback -> {
				Bundle codes = CodesOnly.bundle(feedback);
				return codes == null ? null : engine.fhirJson(codes);
			});
		}
		StructureMap map = partner.mapFor(Direction.OUTBOUND, Message.FEEDBACK).flatMap(engine::byUrl).orElse(null);
		if (map == null) {
			return null;
		}
		if (engine.writesJson(map)) {
			return new Shaped(channel, delivery.endpoint(), sent, Form.BODY, false, "application/json", feedback -> engine.toJson(map, feedback).toString());
		}
		return new Shaped(channel, delivery.endpoint(), sent, Form.BODY, false, delivery.fhirContentType(),
				feedback -> engine.fhirJson(engine.transform(map, feedback)));
	}
}
