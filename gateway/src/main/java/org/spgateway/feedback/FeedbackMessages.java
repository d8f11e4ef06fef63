package org.spgateway.feedback;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.UrlType;
import org.spgateway.fhir.FhirFormats;

/**
 * The bodies feedback is delivered in. For a BaRS referrer, a {@code servicerequest-response} message made by the BaRS feedback
 * map ({@code mappings/bars-feedback/servicerequest-response.map}, or the map a deployment names in
 * {@code gateway.feedback.bars-map}) from a Parameters of what a map cannot know (ids, time, addresses) and the resources carried.
 * For a FHIR REST referrer, a transaction of the Communication and its coded entries (PUT by id, so a resend is the same write).
 */
final class FeedbackMessages {

	private final FhirContext fhirContext;
	private final String base;
	private final String software;
	private final Function<Parameters, Resource> barsMap;

	/** @param barsMap runs the BaRS feedback map over its input; throws when the map fails */
	FeedbackMessages(FhirContext fhirContext, String base, String software, Function<Parameters, Resource> barsMap) {
		this.fhirContext = fhirContext;
		this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
		this.software = software;
		this.barsMap = barsMap;
	}

	/**
	 * @param resources the referral first, then everything else the message carries (stored resources, with ids)
	 * @param answering the id of the referrer's message that started the referral, or null when it came another way
	 * @throws RuntimeException when the map fails (a MappingFailure naming the map and rule)
	 */
	String barsResponse(FeedbackRoute route, Reference sender, List<Resource> resources, String answering, Instant now) {
		return barsResponse(route, sender, resources, answering, now, UUID.randomUUID().toString(), UUID.randomUUID().toString());
	}

	/** As above, with the message's two ids given (the only values that differ from one run to the next). */
	String barsResponse(FeedbackRoute route, Reference sender, List<Resource> resources, String answering, Instant now, String bundleId,
			String headerId) {
		Parameters input = barsInput(route, sender, resources, answering, now, bundleId, headerId);
		return fhirContext.newJsonParser().encodeResourceToString(barsMap.apply(input));
	}

	/**
	 * What the BaRS feedback map reads: the values only the gateway knows, then each carried resource as it is sent (its id
	 * {@code Type/id}, without the gateway's meta).
	 */
	Parameters barsInput(FeedbackRoute route, Reference sender, List<Resource> resources, String answering, Instant now, String bundleId,
			String headerId) {
		Parameters input = new Parameters();
		input.addParameter().setName("bundleId").setValue(new IdType(bundleId));
		input.addParameter().setName("headerId").setValue(new IdType(headerId));
		input.addParameter().setName("timestamp").setValue(new InstantType(Date.from(now)));
		input.addParameter().setName("base").setValue(new UrlType(base));
		input.addParameter().setName("software").setValue(new StringType(software));
		input.addParameter().setName("destination").setValue(new UrlType(route.address()));
		if (route.organisation() != null) {
			input.addParameter().setName("receiver").setValue(route.organisation().copy());
		}
		input.addParameter().setName("sender").setValue(sender.copy());
		if (answering != null) {
			input.addParameter().setName("answering").setValue(new IdType(answering));
		}
		input.addParameter().setName("referralId").setValue(new IdType(resources.get(0).getIdElement().getIdPart()));
		for (Resource r : resources) {
			input.addParameter().setName("resource").setResource(withoutMeta(r));
		}
		return input;
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

	/** A FHIR JSON body in the media type its receiver asked for ({@link FhirFormats#as}). */
	String inFormat(String json, String contentType) {
		return FhirFormats.as(fhirContext, json, contentType);
	}
}
