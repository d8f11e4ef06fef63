package org.spgateway.store;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.fhirpath.IFhirPath;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.SearchParameter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The search parameters of each resource type: the FHIR R4 base set plus the SearchParameters in
 * profiles/ (which win on a name clash). The same registry drives indexing, query building and the
 * CapabilityStatement, so what the server says it supports is exactly what it does.
 */
public class SearchParameterRegistry {

	private static final Logger log = LoggerFactory.getLogger(SearchParameterRegistry.class);
	private static final Set<RestSearchParameterTypeEnum> SUPPORTED_TYPES = EnumSet.of(
			RestSearchParameterTypeEnum.TOKEN, RestSearchParameterTypeEnum.STRING, RestSearchParameterTypeEnum.REFERENCE,
			RestSearchParameterTypeEnum.DATE, RestSearchParameterTypeEnum.NUMBER, RestSearchParameterTypeEnum.QUANTITY,
			RestSearchParameterTypeEnum.URI);
	/** Base parameters whose values live on the resource row, not in the index tables. */
	private static final Map<String, String> COLUMN_PARAMS = Map.of("_id", "res_id", "_lastUpdated", "last_updated");
	/** Base parameters with no useful meaning here (full-text, list membership, sources we do not record). */
	/** What narrows a reference parameter's expression to one target type ({@link #narrowedToOneType}). */
	private static final Pattern RESOLVE_IS_TYPE = Pattern.compile("\\.where\\(resolve\\(\\) is [A-Z][A-Za-z]*\\)");
	private static final Set<String> UNSUPPORTED = Set.of("_text", "_content", "_list", "_has", "_query", "_filter", "_source");

	private final FhirContext fhirContext;
	private final IFhirPath fhirPath;
	private final Map<String, List<SearchParameter>> customByType = new ConcurrentHashMap<>();
	private final Map<String, Map<String, SearchParamDef>> byType = new ConcurrentHashMap<>();

	public SearchParameterRegistry(FhirContext fhirContext, IFhirPath fhirPath, List<SearchParameter> custom) {
		this.fhirContext = fhirContext;
		this.fhirPath = fhirPath;
		for (SearchParameter sp : custom) {
			if (sp.getStatus() == Enumerations.PublicationStatus.RETIRED) {
				continue;
			}
			for (CodeType base : sp.getBase()) {
				customByType.computeIfAbsent(base.getValue(), k -> new java.util.ArrayList<>()).add(sp);
			}
		}
	}

	/** The parameters of a type, by name, in a stable (alphabetical) order. */
	public Map<String, SearchParamDef> forType(String resourceType) {
		return byType.computeIfAbsent(resourceType, this::build);
	}

	public SearchParamDef find(String resourceType, String name) {
		return forType(resourceType).get(name);
	}

	private Map<String, SearchParamDef> build(String resourceType) {
		Map<String, SearchParamDef> params = new TreeMap<>();
		RuntimeResourceDefinition definition = fhirContext.getResourceDefinition(resourceType);
		for (RuntimeSearchParam sp : definition.getSearchParams()) {
			String name = sp.getName();
			if (UNSUPPORTED.contains(name) || !SUPPORTED_TYPES.contains(sp.getParamType())) {
				continue;
			}
			if (COLUMN_PARAMS.containsKey(name)) {
				params.put(name, new SearchParamDef(resourceType, name, sp.getParamType(), null, null, Set.of(), sp.getUri(),
						sp.getDescription(), COLUMN_PARAMS.get(name), Set.of()));
				continue;
			}
			List<String> paths = sp.getPathsSplitForResourceType(resourceType);
			if (paths.isEmpty()) {
				continue;
			}
			add(params, resourceType, name, sp.getParamType(), String.join(" | ", paths), sp.getTargets(), sp.getUri(), sp.getDescription());
		}
		for (SearchParameter sp : customByType.getOrDefault(resourceType, List.of())) {
			Set<String> targets = new LinkedHashSet<>();
			sp.getTarget().forEach(t -> targets.add(t.getValue()));
			add(params, resourceType, sp.getCode(), RestSearchParameterTypeEnum.forCode(sp.getType().toCode()), sp.getExpression(),
					targets, sp.getUrl(), sp.getDescription());
		}
		return Collections.unmodifiableMap(new LinkedHashMap<>(withNarrower(params)));
	}

	/**
	 * Pairs each reference parameter with those of the same type whose expression is its own narrowed to one target type
	 * ({@code subject} and {@code patient} on ServiceRequest, Task, Condition, Observation ...): the store keeps a value both
	 * give once (issue 14: it was two index rows and eight B-tree entries per referral for the same Patient).
	 */
	private static Map<String, SearchParamDef> withNarrower(Map<String, SearchParamDef> params) {
		Map<String, Set<String>> narrower = new TreeMap<>();
		for (SearchParamDef narrow : params.values()) {
			for (SearchParamDef broad : params.values()) {
				if (broad != narrow && broad.isIndexed() && narrow.isIndexed() && broad.type() == RestSearchParameterTypeEnum.REFERENCE
						&& narrow.type() == RestSearchParameterTypeEnum.REFERENCE && narrowedToOneType(broad.expression(), narrow.expression())) {
					narrower.computeIfAbsent(broad.name(), k -> new TreeSet<>()).add(narrow.name());
				}
			}
		}
		Map<String, SearchParamDef> out = new TreeMap<>(params);
		narrower.forEach((name, names) -> out.put(name, params.get(name).withNarrower(names)));
		return out;
	}

	/** Whether {@code narrow} is exactly {@code broad} followed by {@code .where(resolve() is Type)}. */
	static boolean narrowedToOneType(String broad, String narrow) {
		return narrow.startsWith(broad) && RESOLVE_IS_TYPE.matcher(narrow.substring(broad.length())).matches();
	}

	private void add(Map<String, SearchParamDef> params, String resourceType, String name, RestSearchParameterTypeEnum type,
			String expression, Set<String> targets, String url, String description) {
		if (type == null || !SUPPORTED_TYPES.contains(type) || expression == null || expression.isBlank()) {
			return;
		}
		IFhirPath.IParsedExpression parsed;
		try {
			parsed = fhirPath.parse(expression);
		} catch (Exception e) {
			// A parameter we cannot evaluate is one we must not advertise.
			log.debug("Search parameter {}.{} not supported: cannot parse {}: {}", resourceType, name, expression, e.getMessage());
			return;
		}
		params.put(name, new SearchParamDef(resourceType, name, type, expression, parsed, Set.copyOf(targets), url, description, null, Set.of()));
	}
}
