package org.spgateway.mapping;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.r4.elementmodel.Element;
import org.hl7.fhir.r4.hapi.ctx.HapiWorkerContext;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ResourceFactory;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.StructureMap;
import org.hl7.fhir.r4.utils.StructureMapUtilities;
import org.hl7.fhir.r4.utils.StructureMapUtilities.ITransformerServices;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.conformance.ConformanceResources;
import org.spgateway.fhir.FhirFormats;

/**
 * Runs the StructureMaps loaded from profiles/ and mappings/ with the HL7 core engine HAPI ships
 * ({@link StructureMapUtilities}, R4), over the gateway's own conformance resources: the same
 * StructureDefinitions, ValueSets and CodeSystems the validator uses, and the gateway's ConceptMaps through
 * {@link ConceptMapTranslator}. Maps are parsed once at start-up (their FHIRPath already compiled) and
 * checked by {@link MapChecker}; a transform only runs them.
 *
 * <p>A map's source or target may be a logical model (a StructureDefinition of kind logical in a partner's folder) describing a
 * partner's flat JSON: {@link #fromJson} reads such JSON into the model's element tree and runs the map over it, and
 * {@link #toJson} runs a map whose target is a model and writes what it made as plain JSON (see {@link LogicalJson}).
 */
public class MapEngine {

	private static final Logger log = LoggerFactory.getLogger(MapEngine.class);
	private static final Pattern RULE_IN_MESSAGE = Pattern.compile("Rule [\"']([^\"']+)[\"']");

	private static final String UNEXPLAINED = "the rule could not be applied to this content";

	private final ConceptMapTranslator translator;
	private final FhirContext fhirContext;
	private final Map<String, StructureMap> byUrl;
	private final Map<String, MapSignature> signatures;
	/** The logical models maps use, by URL and type, for create('...') of one. */
	private final Map<String, StructureDefinition> models;
	private final Services services = new Services();
	private final LogicalJson logical;
	/** The engine keeps a FHIRPath engine whose thread safety HL7 does not promise: one per thread, each built once. */
	private final ThreadLocal<StructureMapUtilities> utilities;

	public MapEngine(FhirContext fhirContext, IValidationSupport gatewaySupport, ConformanceResources conformance,
			ConceptMapTranslator translator) {
		this.translator = translator;
		this.fhirContext = fhirContext;
		HapiWorkerContext worker = new HapiWorkerContext(fhirContext, new MapWorkerSupport(gatewaySupport));
		List<StructureMap> maps = conformance.ofType(StructureMap.class);
		this.byUrl = maps.stream().collect(Collectors.toUnmodifiableMap(StructureMap::getUrl, Function.identity()));
		this.logical = new LogicalJson(worker);
		this.signatures = new MapChecker(worker, translator).check(maps, conformance::sourceOf);
		Map<String, StructureDefinition> found = new HashMap<>();
		for (MapSignature signature : signatures.values()) {
			for (StructureDefinition model : new StructureDefinition[] {signature.sourceModel(), signature.targetModel()}) {
				if (model != null) {
					found.put(model.getUrl(), model);
					found.put(model.getType(), model);
				}
			}
		}
		this.models = Map.copyOf(found);
		this.utilities = ThreadLocal.withInitial(() -> new StructureMapUtilities(worker, services));
		utilities.get();
	}

	public Optional<StructureMap> byUrl(String url) {
		return Optional.ofNullable(byUrl.get(url));
	}

	public Optional<StructureMap> byId(String id) {
		return byUrl.values().stream().filter(m -> id.equals(m.getIdElement().getIdPart())).findFirst();
	}

	/** The resource type a map reads, e.g. ServiceRequest (for a logical model, the model's type URL). */
	public String sourceType(StructureMap map) {
		return signature(map).sourceType();
	}

	/** The resource type a map makes (for a logical model, the model's type URL). */
	public String targetType(StructureMap map) {
		return signature(map).targetType();
	}

	/** Whether the map reads a partner's flat JSON (its source is a logical model): run it with {@link #fromJson}. */
	public boolean readsJson(StructureMap map) {
		return signature(map).sourceModel() != null;
	}

	/** Whether the map writes a partner's flat JSON (its target is a logical model): run it with {@link #toJson}. */
	public boolean writesJson(StructureMap map) {
		return signature(map).targetModel() != null;
	}

	/**
	 * Runs a map over one resource and returns what it made. The source is not changed; the result is a copy of its own.
	 *
	 * @throws MappingFailure when the content is not what the map reads, or a rule fails
	 */
	public Resource transform(StructureMap map, Resource source) {
		MapSignature signature = signature(map);
		if (signature.targetModel() != null) {
			throw new IllegalArgumentException(map.getUrl() + " makes JSON of a logical model: use toJson");
		}
		if (!signature.sourceType().equals(source.fhirType())) {
			throw new MappingFailure(map.getUrl(), map.getName(), null,
					"it reads a " + signature.sourceType() + " and the content is a " + source.fhirType());
		}
		return ((Resource) run(map, source, (Resource) ResourceFactory.createResourceOrType(signature.targetType()))).copy();
	}

	/**
	 * Runs a map whose source is a logical model over a partner's flat JSON, and returns the resource it made.
	 *
	 * @throws LogicalJson.Problem when the JSON is not an instance of the map's source model (a field it does not have ...)
	 * @throws MappingFailure      when a rule fails
	 */
	public Resource fromJson(StructureMap map, JsonNode json) {
		MapSignature signature = signature(map);
		if (signature.sourceModel() == null || signature.targetModel() != null) {
			throw new IllegalArgumentException(map.getUrl() + " does not read JSON of a logical model into a resource");
		}
		Element source = logical.read(signature.sourceModel(), json);
		return ((Resource) run(map, source, (Resource) ResourceFactory.createResourceOrType(signature.targetType()))).copy();
	}

	/**
	 * Runs a map whose target is a logical model over a resource, and returns what it made as plain JSON (no resourceType).
	 *
	 * @throws MappingFailure when the content is not what the map reads, or a rule fails
	 */
	public ObjectNode toJson(StructureMap map, Resource source) {
		MapSignature signature = signature(map);
		if (signature.targetModel() == null || signature.sourceModel() != null) {
			throw new IllegalArgumentException(map.getUrl() + " does not make JSON of a logical model from a resource");
		}
		if (!signature.sourceType().equals(source.fhirType())) {
			throw new MappingFailure(map.getUrl(), map.getName(), null,
					"it reads a " + signature.sourceType() + " and the content is a " + source.fhirType());
		}
		Element made = (Element) run(map, source, logical.create(signature.targetModel()));
		return logical.write(made);
	}

	/** A FHIR JSON body in the media type of its delivery ({@link FhirFormats#as}). */
	public String inFormat(String json, String contentType) {
		return FhirFormats.as(fhirContext, json, contentType);
	}

	/** A resource a map made, as FHIR JSON (for delivery). */
	public String fhirJson(Resource made) {
		return fhirContext.newJsonParser().encodeResourceToString(made);
	}

	private MapSignature signature(StructureMap map) {
		MapSignature signature = signatures.get(map.getUrl());
		if (signature == null) {
			throw new IllegalArgumentException("not a loaded map: " + map.getUrl());
		}
		return signature;
	}

	/**
	 * The engine sets a map's constants into the target as the very objects the parsed map holds, and a copy rule copies by
	 * reference: callers get a deep copy of a resource made (see transform and fromJson), so that intake resolving a reference
	 * in what a map made can never change the map (a second referral once carried the first one's Patient id this way).
	 */
	private Base run(StructureMap map, Base source, Base target) {
		services.rule.remove();
		try {
			utilities.get().transform(null, source, map, target);
		} catch (FHIRException | ConceptMapTranslator.TranslationProblem e) {
			throw failure(map, e);
		} catch (Error e) {
			// The engine throws java.lang.Error for transforms it does not implement (dateOp, escape ...).
			if (e.getClass() != Error.class) {
				throw e;
			}
			throw failure(map, e);
		} catch (RuntimeException e) {
			// Content the engine trips over (a NullPointerException deep in a rule) is still this map failing on this content:
			// the sender gets a 422 naming the rule, the log gets the kind of failure (never the content, which may be a patient's).
			MappingFailure failure = new MappingFailure(map.getUrl(), map.getName(), services.rule.get(), UNEXPLAINED);
			log.warn("Map {} failed at rule {} with {}", map.getUrl(), failure.rule(), e.getClass().getSimpleName());
			throw failure;
		} finally {
			services.rule.remove();
		}
		return target;
	}

	private MappingFailure failure(StructureMap map, Throwable e) {
		Throwable root = e;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		// Only the engine's own complaints and the gateway's are worded for people; anything else (a NullPointerException the engine
		// wrapped) says nothing a sender can use.
		boolean worded = root instanceof FHIRException || root instanceof ConceptMapTranslator.TranslationProblem || root.getClass() == Error.class;
		String message = !worded || root.getMessage() == null ? "" : root.getMessage();
		Matcher named = RULE_IN_MESSAGE.matcher(e.getMessage() == null ? "" : e.getMessage());
		String rule = named.find() ? named.group(1) : services.rule.get();
		String problem = message.replaceAll("^Rule [\"'][^\"']+[\"']:\\s*", "").trim();
		if (problem.startsWith("Check condition failed")) {
			String check = MapChecker.checkOf(map, rule);
			problem = check == null ? "its check is not met" : "its check '" + check + "' is not met";
		}
		if (problem.isEmpty() || problem.matches("(?s).*\\b(java|org|ca|com)\\.[a-z0-9]+\\..*")) {
			// Never hand a caller the engine's internals.
			problem = UNEXPLAINED;
		}
		return new MappingFailure(map.getUrl(), map.getName(), rule, problem);
	}

	/** The gateway's side of the engine: translation through the gateway's ConceptMaps, no references or searches. */
	private final class Services implements ITransformerServices {

		/** The rule being run on this thread, from the engine's progress log, for failures whose message does not name it. */
		final ThreadLocal<String> rule = new ThreadLocal<>();

		@Override
		public void log(String message) {
			String m = message.trim();
			if (m.startsWith("rule : ")) {
				int end = m.indexOf(';');
				rule.set(m.substring("rule : ".length(), end < 0 ? m.length() : end).trim());
			}
		}

		@Override
		public Base createType(Object appInfo, String name) {
			StructureDefinition model = models.get(name);
			if (model != null) {
				return logical.create(model);
			}
			return "Narrative".equals(name) ? new MappedNarrative() : ResourceFactory.createResourceOrType(name);
		}

		@Override
		public Base createResource(Object appInfo, Base res, boolean atRootofTransform) {
			return res;
		}

		@Override
		public Coding translate(Object appInfo, Coding source, String conceptMapUrl) {
			return translator.translateForMap(conceptMapUrl, source.getSystem(), source.getCode());
		}

		@Override
		public Base resolveReference(Object appContext, String url) {
			throw new FHIRException("maps in the gateway cannot resolve references");
		}

		@Override
		public List<Base> performSearch(Object appContext, String url) {
			throw new FHIRException("maps in the gateway cannot search");
		}
	}

	/**
	 * What the first group of a map reads and makes: resource type names, or for a logical model its type URL and the model itself
	 * (null for FHIR resources).
	 */
	record MapSignature(String sourceType, String targetType, StructureDefinition sourceModel, StructureDefinition targetModel) {}
}
