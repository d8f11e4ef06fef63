package org.spgateway.intake;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ConceptMap;
import org.spgateway.conformance.ConformanceResources;

/**
 * Infers a referral's source (CodeSystem sp-referral-source) when the sender leaves it out, from the
 * ConceptMap sp-referral-source-inference in profiles/: the requesting role's codes first, then the
 * referring organisation's kind. The rules are data; adding a mapping needs no code change.
 */
public class ReferralSourceInference {

	public static final String SOURCE_SYSTEM = "https://spgateway.org/fhir/CodeSystem/sp-referral-source";
	static final String MAP_URL = "https://spgateway.org/fhir/ConceptMap/sp-referral-source-inference";

	private final Map<String, String> targets = new HashMap<>();
	private final Map<String, String> displays = new HashMap<>();

	public ReferralSourceInference(ConformanceResources conformance) {
		for (ConceptMap map : conformance.ofType(ConceptMap.class)) {
			if (!MAP_URL.equals(map.getUrl())) {
				continue;
			}
			for (ConceptMap.ConceptMapGroupComponent group : map.getGroup()) {
				for (ConceptMap.SourceElementComponent element : group.getElement()) {
					if (!element.getTarget().isEmpty() && element.getTargetFirstRep().hasCode()) {
						targets.putIfAbsent(group.getSource() + "|" + element.getCode(), element.getTargetFirstRep().getCode());
					}
				}
			}
		}
		for (CodeSystem cs : conformance.ofType(CodeSystem.class)) {
			if (SOURCE_SYSTEM.equals(cs.getUrl())) {
				cs.getConcept().forEach(c -> displays.put(c.getCode(), c.getDisplay()));
			}
		}
	}

	/** The source for a requester of the given FHIR type, with its role codes and its organisation's kinds; never null. */
	public Coding infer(String requesterType, List<Coding> roleCodes, List<Coding> organizationKinds) {
		if ("Patient".equals(requesterType)) {
			return coding("self");
		}
		for (List<Coding> codes : List.of(roleCodes, organizationKinds)) {
			for (Coding c : codes) {
				String target = targets.get(c.getSystem() + "|" + c.getCode());
				if (target != null) {
					return coding(target);
				}
			}
		}
		return coding("other");
	}

	public Coding coding(String code) {
		return new Coding(SOURCE_SYSTEM, code, displays.get(code));
	}
}
