package org.spgateway.resources;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.fhirpath.IFhirPath;
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
import java.util.List;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.fhir.Outcomes;

/**
 * JSON Patch (RFC 6902) and FHIRPath Patch, applied with HAPI's own implementations. XML Patch is
 * not offered.
 */
public class ResourcePatcher {

	private static final ObjectMapper JSON = new ObjectMapper();
	private static final List<String> JSON_PATCH_OPS = List.of("add", "remove", "replace", "move", "copy", "test");
	private static final Pattern HAPI_CODE = Pattern.compile("HAPI-\\d+: ");
	private static final Pattern QUALIFIED_NAME = Pattern.compile("\\b(?:[a-z][a-z0-9_]*+\\.)++[A-Z][A-Za-z0-9_$]*+: ");
	private static final int MAX_MESSAGE = 1000;
	private static final Pattern JAVA_NAME = Pattern.compile("\\b(?:java|javax|jakarta|com|org|ca)\\.[a-z]");

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
		Parameters fhirPatch = null;
		if (patchType == PatchTypeEnum.FHIR_PATCH_JSON || patchType == PatchTypeEnum.FHIR_PATCH_XML) {
			fhirPatch = readFhirPatch(patchType, body);
			checkPaths(fhirPatch);
		}
		try {
			return switch (patchType) {
				case JSON_PATCH -> (Resource) JsonPatchUtils.apply(fhirContext, current, body);
				case FHIR_PATCH_JSON, FHIR_PATCH_XML -> {
					new FhirPatch(fhirContext).apply(current, fhirPatch);
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
		} catch (RuntimeException e) {
			// FHIRPath evaluation fails with its own exception types (FHIRException, PathEngineException ...).
			String reason = clean(e.getMessage());
			throw Outcomes.unprocessable("The patch could not be applied" + (reason.isEmpty() ? "" : ": " + reason), null);
		}
	}

	private Parameters readFhirPatch(PatchTypeEnum patchType, String body) {
		// Nothing validates the patch document as sent, so a bad value in it is refused here rather than dropped.
		IParser parser = (patchType == PatchTypeEnum.FHIR_PATCH_JSON ? fhirContext.newJsonParser() : fhirContext.newXmlParser())
				.setParserErrorHandler(new LenientErrorHandler(false).setErrorOnInvalidValue(true));
		try {
			return parser.parseResource(Parameters.class, body);
		} catch (DataFormatException | IllegalArgumentException e) {
			throw Outcomes.invalid("The patch could not be read: " + clean(e.getMessage()), null);
		}
	}

	/** Every operation's path must be FHIRPath the engine can parse: a path it cannot read is a malformed patch (400), not a failed one. */
	private void checkPaths(Parameters patch) {
		IFhirPath fhirPath = fhirContext.newFhirPath();
		for (int i = 0; i < patch.getParameter().size(); i++) {
			var parts = patch.getParameter().get(i).getPart();
			for (int j = 0; j < parts.size(); j++) {
				if ("path".equals(parts.get(j).getName()) && parts.get(j).getValue() != null) {
					String path = parts.get(j).getValue().primitiveValue();
					String where = "Parameters.parameter[" + i + "].part[" + j + "].value";
					try {
						fhirPath.parse(path);
					} catch (Exception e) {
						String reason = clean(e.getMessage());
						throw Outcomes.invalid("Operation " + (i + 1) + " of the FHIRPath Patch has a path that is not a FHIRPath expression"
								+ (reason.isEmpty() ? "" : " (" + reason + ")"), where);
					}
				}
			}
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
		for (int i = 0; i < patch.size(); i++) {
			JsonNode operation = patch.get(i);
			String op = operation.path("op").asText("");
			if (!JSON_PATCH_OPS.contains(op)) {
				throw Outcomes.invalid("Operation " + (i + 1) + " of the JSON Patch has " + (op.isEmpty() ? "no op" : "an unknown op")
						+ "; JSON Patch operations are " + String.join(", ", JSON_PATCH_OPS), null);
			}
			if (!operation.path("path").isTextual()) {
				throw Outcomes.invalid("Operation " + (i + 1) + " of the JSON Patch (" + op + ") has no path", null);
			}
		}
	}

	/**
	 * A library's message without what only a developer can read: HAPI's message codes and Java class
	 * names. A message that still names Java types after that is dropped altogether.
	 */
	static String clean(String message) {
		if (message == null) {
			return "";
		}
		// A message can quote the caller's whole value (hundreds of kB): cut it first, and match Java names from
		// word starts without backtracking, or the clean-up itself pins a core (a 300 kB value took minutes).
		String cut = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "…" : message;
		String plain = QUALIFIED_NAME.matcher(HAPI_CODE.matcher(cut).replaceAll("")).replaceAll("").trim();
		return JAVA_NAME.matcher(plain).find() ? "" : plain;
	}
}
