package org.spgateway.mapping;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.r4.context.IWorkerContext;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.ElementDefinition;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ResourceFactory;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.StructureDefinition.StructureDefinitionKind;
import org.hl7.fhir.r4.model.StructureMap;
import org.hl7.fhir.r4.model.StructureMap.StructureMapGroupComponent;
import org.hl7.fhir.r4.model.StructureMap.StructureMapGroupInputComponent;
import org.hl7.fhir.r4.model.StructureMap.StructureMapGroupRuleComponent;
import org.hl7.fhir.r4.model.StructureMap.StructureMapGroupRuleDependentComponent;
import org.hl7.fhir.r4.model.StructureMap.StructureMapGroupRuleSourceComponent;
import org.hl7.fhir.r4.model.StructureMap.StructureMapGroupRuleTargetComponent;
import org.hl7.fhir.r4.model.StructureMap.StructureMapInputMode;
import org.hl7.fhir.r4.model.StructureMap.StructureMapStructureComponent;
import org.hl7.fhir.r4.model.StructureMap.StructureMapTransform;
import org.spgateway.conformance.ConformanceException;
import org.spgateway.mapping.MapEngine.MapSignature;

/**
 * Checks every map once at start-up against what the gateway knows, so that a mistake stops start-up
 * naming the file, group and rule instead of silently writing nothing on a partner's first message: the
 * structures it uses exist, every element a rule reads or writes exists on its type (a misspelt element
 * would otherwise just match nothing), every group a rule calls exists with that many inputs, and every
 * ConceptMap a translate() names is loaded. It also refuses what the engine cannot do here (imports,
 * searches, several sources in one rule). Elements of a logical model (a partner's flat JSON) are checked against the model's
 * snapshot, so a misspelt field of a partner's JSON stops start-up too.
 */
class MapChecker {

	/** How a variable's type is tracked when it is (an element of) a logical model: this prefix, the model's URL, '|', the element's path. */
	private static final String LOGICAL = "logical|";

	private final IWorkerContext worker;
	private final ConceptMapTranslator translator;

	MapChecker(IWorkerContext worker, ConceptMapTranslator translator) {
		this.worker = worker;
		this.translator = translator;
	}

	Map<String, MapSignature> check(List<StructureMap> maps, Function<Resource, String> sourceOf) {
		Map<String, MapSignature> signatures = new HashMap<>();
		for (StructureMap map : maps) {
			signatures.put(map.getUrl(), new Checking(map, sourceOf.apply(map)).check());
		}
		return signatures;
	}

	/** The check expression of the named rule, for a failure message; null if there is none. */
	static String checkOf(StructureMap map, String ruleName) {
		for (StructureMapGroupComponent group : map.getGroup()) {
			String found = checkOf(group.getRule(), ruleName);
			if (found != null) {
				return found;
			}
		}
		return null;
	}

	private static String checkOf(List<StructureMapGroupRuleComponent> rules, String ruleName) {
		for (StructureMapGroupRuleComponent rule : rules) {
			if (rule.getName().equals(ruleName) && rule.getSourceFirstRep().hasCheck()) {
				return rule.getSourceFirstRep().getCheck();
			}
			String nested = checkOf(rule.getRule(), ruleName);
			if (nested != null) {
				return nested;
			}
		}
		return null;
	}

	/** One map being checked; variables are tracked with their FHIR type where it is known. */
	private final class Checking {

		private final StructureMap map;
		private final String source;
		/** Groups already checked with the types a caller passes them (group name and input types). */
		private final Set<String> checkedCalls = new HashSet<>();

		Checking(StructureMap map, String source) {
			this.map = map;
			this.source = source;
		}

		MapSignature check() {
			if (map.hasImport()) {
				fail("imports other maps, which the gateway does not support: put the groups the map needs in its own file");
			}
			for (StructureMapStructureComponent uses : map.getStructure()) {
				if (worker.fetchResource(StructureDefinition.class, uses.getUrl()) == null) {
					fail("uses " + uses.getUrl() + ", which the gateway does not know: put its StructureDefinition in profiles/ or the partner's folder");
				}
			}
			StructureMapGroupComponent first = map.getGroup().get(0);
			String sourceType = null;
			String targetType = null;
			for (StructureMapGroupInputComponent input : first.getInput()) {
				String type = resourceType(first, input);
				if (input.getMode() == StructureMapInputMode.SOURCE) {
					sourceType = sourceType == null ? type : fail("group " + first.getName() + " has several sources; the first group reads one resource");
				} else {
					targetType = targetType == null ? type : fail("group " + first.getName() + " has several targets; the first group makes one resource");
				}
			}
			if (sourceType == null || targetType == null) {
				fail("group " + first.getName() + " must have one source and one target: the first group is where a transform starts");
			}
			for (StructureMapGroupComponent group : map.getGroup()) {
				Map<String, String> types = new HashMap<>();
				for (StructureMapGroupInputComponent input : group.getInput()) {
					types.put(input.getName(), input.hasType() ? typeName(group, input.getType()) : null);
				}
				for (StructureMapGroupRuleComponent rule : group.getRule()) {
					rule(group, rule, new HashMap<>(types));
				}
			}
			return new MapSignature(publicType(sourceType), publicType(targetType), model(sourceType), model(targetType));
		}

		private String resourceType(StructureMapGroupComponent group, StructureMapGroupInputComponent input) {
			if (!input.hasType()) {
				fail("group " + group.getName() + ": input " + input.getName() + " has no type; the first group's inputs need one");
			}
			String type = typeName(group, input.getType());
			if (!type.startsWith(LOGICAL) && !(ResourceFactory.createResourceOrType(type) instanceof Resource)) {
				fail("group " + group.getName() + ": input " + input.getName() + " is a " + type + "; the first group reads and makes resources");
			}
			return type;
		}

		/** A group input's type: an alias from a {@code uses} line, or a FHIR type name. */
		private String typeName(StructureMapGroupComponent group, String stated) {
			for (StructureMapStructureComponent uses : map.getStructure()) {
				if (stated.equals(uses.getAlias())) {
					StructureDefinition sd = worker.fetchResource(StructureDefinition.class, uses.getUrl());
					if (sd.getKind() == StructureDefinitionKind.LOGICAL) {
						if (!sd.hasSnapshot()) {
							fail("group " + group.getName() + " uses the logical model " + uses.getUrl() + ", which has no snapshot");
						}
						return LOGICAL + sd.getUrl() + "|" + sd.getSnapshot().getElementFirstRep().getPath();
					}
					return sd.getType();
				}
			}
			if (!knownType(stated)) {
				fail("group " + group.getName() + " has an input of type " + stated + ", which is neither a FHIR type nor an alias from a uses line");
			}
			return stated;
		}

		private void rule(StructureMapGroupComponent group, StructureMapGroupRuleComponent rule, Map<String, String> types) {
			String where = "group " + group.getName() + ", rule '" + rule.getName() + "': ";
			if (rule.getSource().size() != 1) {
				fail(where + "a rule reads from one source");
			}
			StructureMapGroupRuleSourceComponent src = rule.getSourceFirstRep();
			if ("@search".equals(src.getContext())) {
				fail(where + "searches, which maps in the gateway cannot do");
			}
			if (!types.containsKey(src.getContext())) {
				fail(where + "reads from " + src.getContext() + ", which is not a variable here");
			}
			String sourceType = src.hasElement() ? elementType(where, types.get(src.getContext()), src.getElement()) : types.get(src.getContext());
			if (src.hasType()) {
				sourceType = src.getType();
			}
			if (src.hasVariable()) {
				types.put(src.getVariable(), sourceType);
			}
			for (StructureMapGroupRuleTargetComponent tgt : rule.getTarget()) {
				String made = null;
				if (tgt.hasContext()) {
					if (!types.containsKey(tgt.getContext())) {
						fail(where + "writes to " + tgt.getContext() + ", which is not a variable here");
					}
					made = elementType(where, types.get(tgt.getContext()), tgt.getElement());
				}
				if (tgt.hasTransform() && tgt.getTransform() == StructureMapTransform.CREATE && tgt.hasParameter()
						&& tgt.getParameterFirstRep().getValue() instanceof StringType created) {
					made = knownType(created.getValue()) ? created.getValue() : typeName(group, created.getValue());
				} else if (tgt.hasTransform() && tgt.getTransform() != StructureMapTransform.CREATE) {
					made = null;
				}
				if (tgt.hasTransform() && tgt.getTransform() == StructureMapTransform.TRANSLATE) {
					translation(where, tgt);
				}
				if (tgt.hasVariable()) {
					types.put(tgt.getVariable(), made);
				}
			}
			for (StructureMapGroupRuleDependentComponent dependent : rule.getDependent()) {
				StructureMapGroupComponent called = map.getGroup().stream().filter(g -> g.getName().equals(dependent.getName())).findFirst()
						.orElse(null);
				if (called == null) {
					fail(where + "calls group " + dependent.getName() + ", which the map does not have");
				}
				if (called.getInput().size() != dependent.getVariable().size()) {
					fail(where + "calls group " + dependent.getName() + " with " + dependent.getVariable().size() + " variables; it takes "
							+ called.getInput().size());
				}
				Map<String, String> passed = new HashMap<>();
				for (int i = 0; i < dependent.getVariable().size(); i++) {
					String variable = dependent.getVariable().get(i).getValue();
					if (!types.containsKey(variable)) {
						fail(where + "passes " + variable + " to group " + dependent.getName() + ", which is not a variable here");
					}
					StructureMapGroupInputComponent input = called.getInput().get(i);
					passed.put(input.getName(), input.hasType() ? typeName(called, input.getType()) : types.get(variable));
				}
				// A group with untyped inputs is checked again with the types this call gives it, once per combination.
				if (called.getInput().stream().anyMatch(in -> !in.hasType()) && checkedCalls.add(called.getName() + passed)) {
					for (StructureMapGroupRuleComponent calledRule : called.getRule()) {
						rule(called, calledRule, new HashMap<>(passed));
					}
				}
			}
			for (StructureMapGroupRuleComponent nested : rule.getRule()) {
				rule(group, nested, new HashMap<>(types));
			}
		}

		/** The ConceptMap a translate() names must be loaded (or contained in the map). */
		private void translation(String where, StructureMapGroupRuleTargetComponent tgt) {
			if (tgt.getParameter().size() < 2 || !(tgt.getParameter().get(1).getValue() instanceof StringType url)) {
				fail(where + "translate() needs the ConceptMap's URL as a quoted string as its second parameter");
				return;
			}
			String conceptMap = url.getValue();
			boolean found = conceptMap.startsWith("#")
					? map.getContained().stream().anyMatch(r -> conceptMap.substring(1).equals(r.getIdElement().getIdPart()))
					: translator.byUrl(conceptMap).isPresent();
			if (!found) {
				fail(where + "translates with the ConceptMap " + conceptMap + ", which is not loaded");
			}
		}

		/** The type of {@code element} on {@code type}, or null when that is not one known type; fails if there is no such element. */
		private String elementType(String where, String type, String element) {
			if (type == null || "*".equals(type)) {
				return null;
			}
			if (type.startsWith(LOGICAL)) {
				return logicalElementType(where, type, element);
			}
			Base instance;
			try {
				instance = ResourceFactory.createResourceOrType(type);
			} catch (FHIRException e) {
				return null;
			}
			String[] possible;
			try {
				possible = instance.getTypesForProperty(element.hashCode(), element);
			} catch (FHIRException e) {
				possible = null;
			}
			if (possible == null) {
				fail(where + "a " + type + " has no element '" + element + "'");
			}
			return possible.length == 1 && !"*".equals(possible[0]) && knownType(possible[0]) ? possible[0] : null;
		}

		/** An element of a logical model: it must be in the model's snapshot; its type is a FHIR type, or the element itself when it has children. */
		private String logicalElementType(String where, String type, String element) {
			StructureDefinition sd = model(type);
			String parent = type.substring(type.lastIndexOf('|') + 1);
			String path = parent + "." + element;
			ElementDefinition found = sd.getSnapshot().getElement().stream()
					.filter(ed -> ed.getPath().equals(path) || ed.getPath().equals(path + "[x]")).findFirst().orElse(null);
			if (found == null) {
				String title = sd.hasTitle() ? sd.getTitle() : sd.getName();
				return fail(where + "'" + parent + "' of the logical model " + sd.getUrl() + " (" + title + ") has no element '" + element + "'");
			}
			boolean hasChildren = sd.getSnapshot().getElement().stream().anyMatch(ed -> ed.getPath().startsWith(found.getPath() + "."));
			if (hasChildren) {
				return LOGICAL + sd.getUrl() + "|" + found.getPath();
			}
			return found.getType().size() == 1 && knownType(found.getType().get(0).getWorkingCode()) ? found.getType().get(0).getWorkingCode() : null;
		}

		private StructureDefinition model(String type) {
			if (type == null || !type.startsWith(LOGICAL)) {
				return null;
			}
			String url = type.substring(LOGICAL.length(), type.lastIndexOf('|'));
			return worker.fetchResource(StructureDefinition.class, url);
		}

		/** The type as the engine's callers see it: a resource type name, or a logical model's type URL. */
		private String publicType(String type) {
			return type.startsWith(LOGICAL) ? model(type).getType() : type;
		}

		private static boolean knownType(String type) {
			try {
				ResourceFactory.createResourceOrType(type);
				return true;
			} catch (FHIRException e) {
				return false;
			}
		}

		private <T> T fail(String problem) {
			throw new ConformanceException(source, problem);
		}
	}
}
