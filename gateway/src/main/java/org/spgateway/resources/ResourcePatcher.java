package org.spgateway.resources;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.patch.FhirPatch;
import ca.uhn.fhir.jpa.patch.JsonPatchUtils;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.LenientErrorHandler;
import ca.uhn.fhir.rest.api.PatchTypeEnum;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.fhir.Outcomes;

/**
 * JSON Patch (RFC 6902) and FHIRPath Patch, applied with HAPI's own implementations. XML Patch is
 * not offered.
 */
public class ResourcePatcher {

	private final FhirContext fhirContext;

	public ResourcePatcher(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	public Resource apply(Resource current, PatchTypeEnum patchType, String body) {
		if (body == null || body.isBlank()) {
			throw Outcomes.invalid("The patch has no body", null);
		}
		try {
			return switch (patchType) {
				case JSON_PATCH -> (Resource) JsonPatchUtils.apply(fhirContext, current, body);
				case FHIR_PATCH_JSON, FHIR_PATCH_XML -> {
					// Nothing validates the patch document as sent, so a bad value in it is refused here rather than dropped.
					IParser parser = (patchType == PatchTypeEnum.FHIR_PATCH_JSON ? fhirContext.newJsonParser() : fhirContext.newXmlParser())
							.setParserErrorHandler(new LenientErrorHandler(false).setErrorOnInvalidValue(true));
					Parameters patch = parser.parseResource(Parameters.class, body);
					new FhirPatch(fhirContext).apply(current, patch);
					yield current;
				}
				default -> throw Outcomes.invalid("Patch type " + patchType + " is not supported; use JSON Patch"
						+ " (application/json-patch+json) or FHIRPath Patch (a Parameters resource)", null);
			};
		} catch (BaseServerResponseException e) {
			// HAPI reports a patch that cannot apply (bad path, wrong type) as 400 or 500; to the caller it is 422.
			throw Outcomes.unprocessable("The patch could not be applied: " + clean(e.getMessage()), null);
		} catch (DataFormatException | IllegalArgumentException e) {
			throw Outcomes.invalid("The patch could not be read: " + clean(e.getMessage()), null);
		}
	}

	private static String clean(String message) {
		return message == null ? "" : message.replaceFirst("^HAPI-\\d+: ", "");
	}
}
