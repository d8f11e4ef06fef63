package org.spgateway.feedback;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.MessageHeader;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * The bodies feedback is delivered in. For a BaRS referrer, a {@code servicerequest-response} message
 * shaped like the BaRS guide's REFRESP01: MessageHeader (answering the referral's message, focus the
 * referral), the referral, the person, the provider's Task, the Communication and its coded entries,
 * and the organisations named. For a FHIR REST referrer, a transaction of the Communication and its
 * coded entries (PUT by id, so a resend is the same write).
 */
final class FeedbackMessages {

	static final String EVENTS = "https://fhir.nhs.uk/CodeSystem/message-events-bars";
	static final String REASONS = "https://fhir.nhs.uk/CodeSystem/message-reason-bars";
	static final String DEFINITION = "https://fhir.nhs.uk/MessageDefinition/bars-message-servicerequest-response-referral";

	private final FhirContext fhirContext;
	private final String base;
	private final String software;

	FeedbackMessages(FhirContext fhirContext, String base, String software) {
		this.fhirContext = fhirContext;
		this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
		this.software = software;
	}

	/**
	 * @param resources the referral first, then everything else the message carries (stored resources, with ids)
	 * @param answering the id of the referrer's message that started the referral, or null when it came another way
	 */
	String barsResponse(FeedbackRoute route, Reference sender, List<Resource> resources, String answering, Instant now) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.MESSAGE);
		bundle.setId(UUID.randomUUID().toString());
		bundle.setTimestamp(Date.from(now));
		MessageHeader header = new MessageHeader();
		String headerId = UUID.randomUUID().toString();
		header.setId(headerId);
		header.setEvent(new Coding(EVENTS, "servicerequest-response", "Service request response"));
		header.addDestination().setEndpoint(route.address()).setReceiver(route.organisation() == null ? null : route.organisation().copy());
		header.setSender(sender.copy());
		header.getSource().setName("Social Prescribing Gateway").setSoftware("sp-gateway").setVersion(software)
				.setEndpoint(base + "/$process-message");
		header.getReason().addCoding(new Coding(REASONS, "new", null));
		header.getResponse().setIdentifier(answering != null ? answering : resources.get(0).getIdElement().getIdPart())
				.setCode(MessageHeader.ResponseType.OK);
		Resource referral = resources.get(0);
		header.addFocus(new Reference(referral.fhirType() + "/" + referral.getIdElement().getIdPart()));
		header.setDefinition(DEFINITION);
		bundle.addEntry().setFullUrl("urn:uuid:" + headerId).setResource(header);
		for (Resource r : resources) {
			bundle.addEntry().setFullUrl(fullUrl(r)).setResource(withoutMeta(r));
		}
		return fhirContext.newJsonParser().encodeResourceToString(bundle);
	}

	/** A transaction writing the Communication and its coded entries on the referrer's server. */
	String restTransaction(List<Resource> resources) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (Resource r : resources) {
			String relative = r.fhirType() + "/" + r.getIdElement().getIdPart();
			bundle.addEntry().setFullUrl(base + "/" + relative).setResource(withoutMeta(r)).getRequest().setMethod(Bundle.HTTPVerb.PUT)
					.setUrl(relative);
		}
		return fhirContext.newJsonParser().encodeResourceToString(bundle);
	}

	private String fullUrl(Resource r) {
		return base + "/" + r.fhirType() + "/" + r.getIdElement().getIdPart();
	}

	/** The resource as stored, without its server meta (the version belongs to this gateway, not the receiver). */
	private static Resource withoutMeta(Resource r) {
		Resource copy = r.copy();
		copy.setIdElement(new IdType(r.fhirType(), r.getIdElement().getIdPart()));
		copy.getMeta().setVersionId(null).setLastUpdated(null);
		if (copy.getMeta().isEmpty()) {
			copy.setMeta(null);
		}
		return copy;
	}

	List<Resource> distinct(List<Resource> resources) {
		List<Resource> out = new ArrayList<>();
		for (Resource r : resources) {
			if (r != null && out.stream().noneMatch(o -> o.fhirType().equals(r.fhirType()) && o.getIdElement().getIdPart().equals(r.getIdElement()
					.getIdPart()))) {
				out.add(r);
			}
		}
		return out;
	}
}
