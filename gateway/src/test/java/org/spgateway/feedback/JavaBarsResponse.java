package org.spgateway.feedback;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.MessageHeader;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * The BaRS servicerequest-response message as the gateway built it in Java before the map in mappings/bars-feedback replaced it
 * (barsResponse at commit b193e40), kept unchanged but for the two random ids, which are now given, so that
 * BarsFeedbackMapGoldenTest can hold the map to exactly what the Java made.
 */
final class JavaBarsResponse {

	private static final String EVENTS = "https://fhir.nhs.uk/CodeSystem/message-events-bars";
	private static final String REASONS = "https://fhir.nhs.uk/CodeSystem/message-reason-bars";
	private static final String DEFINITION = "https://fhir.nhs.uk/MessageDefinition/bars-message-servicerequest-response-referral";

	private final FhirContext fhirContext;
	private final String base;
	private final String software;

	JavaBarsResponse(FhirContext fhirContext, String base, String software) {
		this.fhirContext = fhirContext;
		this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
		this.software = software;
	}

	String barsResponse(FeedbackRoute route, Reference sender, List<Resource> resources, String answering, Instant now, String bundleId,
			String headerId) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.MESSAGE);
		bundle.setId(bundleId);
		bundle.setTimestamp(Date.from(now));
		MessageHeader header = new MessageHeader();
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
			bundle.addEntry().setFullUrl(base + "/" + r.fhirType() + "/" + r.getIdElement().getIdPart()).setResource(withoutMeta(r));
		}
		return fhirContext.newJsonParser().encodeResourceToString(bundle);
	}

	private static Resource withoutMeta(Resource r) {
		Resource copy = r.copy();
		copy.setIdElement(new IdType(r.fhirType(), r.getIdElement().getIdPart()));
		copy.getMeta().setVersionId(null).setLastUpdated(null);
		if (copy.getMeta().isEmpty()) {
			copy.setMeta(null);
		}
		return copy;
	}
}
