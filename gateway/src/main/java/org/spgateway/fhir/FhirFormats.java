package org.spgateway.fhir;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * A FHIR body in the media type a receiver asked for. The gateway makes its outbound FHIR as JSON (its maps, messages and stored
 * resources are JSON); a partner that wants {@code application/fhir+xml} gets the same resource encoded as XML.
 */
public final class FhirFormats {

	public static final String FHIR_JSON = "application/fhir+json";
	public static final String FHIR_XML = "application/fhir+xml";

	private FhirFormats() {
	}

	/** The FHIR JSON body as {@code contentType} says: unchanged for anything but {@value #FHIR_XML}; null stays null. */
	public static String as(FhirContext context, String json, String contentType) {
		if (json == null || !FHIR_XML.equals(contentType)) {
			return json;
		}
		IBaseResource resource = context.newJsonParser().parseResource(json);
		return context.newXmlParser().encodeResourceToString(resource);
	}
}
