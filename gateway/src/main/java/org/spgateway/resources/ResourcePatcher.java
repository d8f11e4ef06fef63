package org.spgateway.resources;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.patch.FhirPatch;
import ca.uhn.fhir.jpa.patch.JsonPatchUtils;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.LenientErrorHandler;
import ca.uhn.fhir.rest.api.PatchTypeEnum;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.fhir.Outcomes;

/**
 * JSON Patch (RFC 6902) and FHIRPath Patch, applied with HAPI's own implementations. XML Patch is
 * not offered.
 */
public class ResourcePatcher {

	private static final ObjectMapper JSON = new ObjectMapper();

	private final FhirContext fhirContext;

	public ResourcePatcher(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	public Resource apply(Resource current, PatchTypeEnum patchType, String body) {
		if (body == null || body.isBlank()) {
			throw Outcomes.invalid("The patch has no body", null);
		}
		if (patchType == PatchTypeEnum.JSON_PATCH) {
			checkJsonPatch(body);
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

	/** A body that is not a JSON array of operations cannot be read at all: 400, not a failed application. */
	private static void checkJsonPatch(String body) {
		JsonNode patch;
		try {
			patch = JSON.readTree(body);
		} catch (JsonProcessingException e) {
			JsonLocation at = e.getLocation();
			// Jackson's own message names its input source and marker positions; the caller needs only where it broke.
			String problem = e.getOriginalMessage().replaceAll("\\s*\\(start marker at .*$", "");
			throw Outcomes.invalid("The JSON Patch could not be read: " + problem
					+ (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"), null);
		}
		if (!patch.isArray()) {
			throw Outcomes.invalid("A JSON Patch (application/json-patch+json) is an array of operations", null);
		}
	}

	private static String clean(String message) {
		return message == null ? "" : message.replaceFirst("^HAPI-\\d+: ", "");
	}
}
