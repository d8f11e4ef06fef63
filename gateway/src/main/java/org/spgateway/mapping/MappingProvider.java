package org.spgateway.mapping;

import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.StructureMap;
import org.hl7.fhir.r4.model.UriType;
import org.spgateway.fhir.Outcomes;
import org.spgateway.mapping.ConceptMapTranslator.Match;
import org.spgateway.resources.ResourceService;
import org.spgateway.server.SystemProvider;

/**
 * {@code StructureMap/$transform} and {@code ConceptMap/$translate}, as FHIR R4 defines them, so that
 * partners and testers can try their own payloads against the maps the gateway runs. Thin: the work is
 * {@link MapEngine}'s and {@link ConceptMapTranslator}'s. Neither operation stores anything.
 */
public class MappingProvider implements SystemProvider {

	private static final ObjectMapper JSON = new ObjectMapper();

	private final MapEngine engine;
	private final ConceptMapTranslator translator;
	private final ResourceService resources;

	MappingProvider(MapEngine engine, ConceptMapTranslator translator, ResourceService resources) {
		this.engine = engine;
		this.translator = translator;
		this.resources = resources;
	}

	@Description(shortDefinition = "Run one of the gateway's StructureMaps over a resource; nothing is stored",
			value = "Body: the resource to transform, or a Parameters with 'content' (the resource) and, at type level, 'source' (the map's"
					+ " canonical URL; also accepted in the query). Answers the resource the map makes, or 422 naming the map and the rule that"
					+ " failed. See docs/mappings.md.")
	@Operation(name = "$transform", typeName = "StructureMap", idempotent = false, manualRequest = true)
	public IBaseResource transform(@IdParam(optional = true) IdType id, RequestDetails request) {
		byte[] bytes = request.loadRequestContents();
		String text = bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
		String source = firstQueryValue(request, "source");
		JsonNode partnerJson = partnerJson(text);
		if (partnerJson != null) {
			// A partner's own JSON (no resourceType): the map named by id or source reads it into its logical model.
			StructureMap map = map(id, source);
			if (!engine.readsJson(map)) {
				throw Outcomes.unprocessable("The map " + map.getName() + " (" + map.getUrl() + ") reads a " + engine.sourceType(map)
						+ ", and the body is not FHIR (it has no resourceType): send the " + engine.sourceType(map) + " as FHIR JSON", null);
			}
			try {
				return engine.fromJson(map, partnerJson);
			} catch (LogicalJson.Problem problem) {
				throw Outcomes.unprocessable(problem.getMessage(), problem.path());
			} catch (MappingFailure failure) {
				throw Outcomes.unprocessable(failure.getMessage(), null);
			}
		}
		Resource body = body(request, text);
		Resource content = body;
		if (body instanceof Parameters parameters) {
			for (ParametersParameterComponent p : parameters.getParameter()) {
				if ("source".equals(p.getName()) && p.hasValue() && p.getValue().isPrimitive()) {
					source = p.getValue().primitiveValue();
				}
			}
			ParametersParameterComponent part = parameters.getParameter("content");
			content = part == null ? null : part.getResource();
			if (content == null) {
				throw Outcomes.invalid("$transform needs the resource to transform: the body itself, or a Parameters with a 'content' part"
						+ " holding it", "Parameters.parameter");
			}
		}
		StructureMap map = map(id, source);
		if (engine.readsJson(map)) {
			throw Outcomes.unprocessable("The map " + map.getName() + " (" + map.getUrl() + ") reads a partner's own JSON (the logical model "
					+ engine.sourceType(map) + "), not FHIR: post the JSON itself, without resourceType", content.fhirType());
		}
		try {
			return engine.writesJson(map) ? binary(engine.toJson(map, content).toString()) : engine.transform(map, content);
		} catch (MappingFailure failure) {
			throw Outcomes.unprocessable(failure.getMessage(), content.fhirType());
		}
	}

	/** The map a $transform names: the instance, else the canonical URL in source. */
	private StructureMap map(IdType id, String source) {
		if (id != null && id.hasIdPart()) {
			return engine.byId(id.getIdPart()).orElseThrow(() -> notFound("StructureMap/" + id.getIdPart() + " is not a map the gateway runs"));
		}
		if (source == null || source.isBlank()) {
			throw Outcomes.invalid("Name the map to run: the 'source' parameter is its canonical URL (or call StructureMap/[id]/$transform)",
					"source");
		}
		return engine.byUrl(source).orElseThrow(() -> Outcomes.invalid("The gateway has no StructureMap with the URL " + source, "source"));
	}

	/** A map's plain JSON output as a Binary: served as the JSON itself to a client that asks for application/json. */
	private static Binary binary(String json) {
		Binary binary = new Binary();
		binary.setContentType("application/json");
		binary.setData(json.getBytes(StandardCharsets.UTF_8));
		return binary;
	}

	/** The body as a partner's JSON object when it is JSON without a resourceType; null when it is FHIR (or not JSON at all). */
	private static JsonNode partnerJson(String text) {
		String trimmed = text.stripLeading();
		if (!trimmed.startsWith("{")) {
			return null;
		}
		try {
			JsonNode node = JSON.readTree(trimmed);
			return node != null && node.isObject() && !node.has("resourceType") ? node : null;
		} catch (IOException notJson) {
			return null;
		}
	}

	@Description(shortDefinition = "Translate a code with the gateway's ConceptMaps",
			value = "code and system (or coding, or codeableConcept); optionally url (or the instance) to use one ConceptMap, source and"
					+ " target value sets, targetsystem. Answers result, message and a match per candidate translation (equivalence,"
					+ " concept, source). The same translation translate() does inside maps. See docs/mappings.md.")
	@Operation(name = "$translate", typeName = "ConceptMap", idempotent = true)
	public Parameters translate(@IdParam(optional = true) IdType id,
			@OperationParam(name = "url", min = 0, max = 1) UriType url,
			@OperationParam(name = "conceptMapVersion", min = 0, max = 1) StringType conceptMapVersion,
			@OperationParam(name = "code", min = 0, max = 1) CodeType code,
			@OperationParam(name = "system", min = 0, max = 1) UriType system,
			@OperationParam(name = "version", min = 0, max = 1) StringType version,
			@OperationParam(name = "source", min = 0, max = 1) UriType source,
			@OperationParam(name = "coding", min = 0, max = 1) Coding coding,
			@OperationParam(name = "codeableConcept", min = 0, max = 1) CodeableConcept codeableConcept,
			@OperationParam(name = "target", min = 0, max = 1) UriType target,
			@OperationParam(name = "targetsystem", min = 0, max = 1) UriType targetSystem,
			@OperationParam(name = "reverse", min = 0, max = 1) BooleanType reverse) {
		if (reverse != null && reverse.booleanValue()) {
			throw Outcomes.invalid("reverse translation is not supported; translate with the ConceptMap that goes the other way", "reverse");
		}
		String mapUrl = null;
		if (id != null && id.hasIdPart()) {
			ConceptMap map = translator.byId(id.getIdPart()).orElseThrow(() -> notFound("ConceptMap/" + id.getIdPart() + " is not known"));
			mapUrl = map.getUrl();
		} else if (url != null && url.hasValue()) {
			boolean versioned = conceptMapVersion != null && conceptMapVersion.hasValue();
			String canonical = url.getValue() + (versioned ? "|" + conceptMapVersion.getValue() : "");
			mapUrl = translator.byUrl(canonical).map(ConceptMap::getUrl)
					.orElseThrow(() -> Outcomes.invalid("The gateway has no ConceptMap with the URL " + canonical, "url"));
		}
		List<Coding> codings = new ArrayList<>();
		int given = (code != null && code.hasValue() ? 1 : 0) + (coding != null && !coding.isEmpty() ? 1 : 0)
				+ (codeableConcept != null && !codeableConcept.isEmpty() ? 1 : 0);
		if (given != 1) {
			throw Outcomes.invalid("Give exactly one of: code (with system), coding, or codeableConcept", given == 0 ? "code" : null);
		}
		if (code != null && code.hasValue()) {
			codings.add(new Coding(system == null ? null : system.getValue(), code.getValue(), null));
		} else if (coding != null && !coding.isEmpty()) {
			codings.add(coding);
		} else {
			codings.addAll(codeableConcept.getCoding());
		}
		List<Match> matches = new ArrayList<>();
		for (Coding c : codings) {
			if (!c.hasCode()) {
				throw Outcomes.invalid("A coding to translate has no code", coding != null ? "coding.code" : "codeableConcept.coding.code");
			}
			matches.addAll(translator.translate(new ConceptMapTranslator.Request(c.getCode(), c.getSystem(), mapUrl,
					value(source), value(target), value(targetSystem))));
		}
		Parameters result = new Parameters();
		boolean translated = matches.stream().anyMatch(Match::translates);
		result.addParameter().setName("result").setValue(new BooleanType(translated));
		if (!translated) {
			result.addParameter().setName("message").setValue(new StringType(matches.isEmpty()
					? "No ConceptMap the gateway holds translates this code" + (mapUrl == null ? "" : " (looked in " + mapUrl + ")")
					: "The ConceptMap says this code has no equivalent in the target"));
		}
		for (Match match : matches) {
			ParametersParameterComponent part = result.addParameter().setName("match");
			part.addPart().setName("equivalence").setValue(new CodeType(match.equivalence().toCode()));
			if (match.concept() != null) {
				part.addPart().setName("concept").setValue(match.concept());
			}
			part.addPart().setName("source").setValue(new UriType(match.conceptMap()));
		}
		return result;
	}

	private Resource body(RequestDetails request, String text) {
		EncodingEnum encoding = RestfulServerUtils.determineRequestEncodingNoDefault(request);
		return resources.parse(text, encoding == null ? EncodingEnum.JSON : encoding, null);
	}

	private static String firstQueryValue(RequestDetails request, String name) {
		String[] values = request.getParameters().get(name);
		return values == null || values.length == 0 ? null : values[0];
	}

	private static String value(UriType uri) {
		return uri == null || !uri.hasValue() ? null : uri.getValue();
	}

	private static ResourceNotFoundException notFound(String diagnostics) {
		return new ResourceNotFoundException(diagnostics, Outcomes.single(IssueSeverity.ERROR, IssueType.NOTFOUND, diagnostics, null));
	}
}
