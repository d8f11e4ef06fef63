package org.spgateway.mapping;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.ConceptMap.ConceptMapGroupComponent;
import org.hl7.fhir.r4.model.ConceptMap.SourceElementComponent;
import org.hl7.fhir.r4.model.ConceptMap.TargetElementComponent;
import org.hl7.fhir.r4.model.Enumerations.ConceptMapEquivalence;

/**
 * Code translation with the ConceptMaps in profiles/ and mappings/: the one implementation behind both
 * {@code ConceptMap/$translate} and the {@code translate()} transform inside maps, so that a tester's
 * $translate answers exactly what a map will do.
 *
 * <p>A code the map has no element for falls to the group's {@code unmapped} rule: {@code provided} keeps the
 * code (in the target system), {@code fixed} gives the fixed code; {@code other-map} is not followed.
 */
public class ConceptMapTranslator {

	/** The equivalences a map's translate() accepts as "this code means that" (those of the HL7 engine). */
	static final Set<ConceptMapEquivalence> USABLE = Set.of(ConceptMapEquivalence.EQUAL, ConceptMapEquivalence.EQUIVALENT,
			ConceptMapEquivalence.RELATEDTO, ConceptMapEquivalence.WIDER);

	private final List<ConceptMap> conceptMaps;

	public ConceptMapTranslator(List<ConceptMap> conceptMaps) {
		this.conceptMaps = List.copyOf(conceptMaps);
	}

	/** One candidate translation, as $translate reports it. */
	public record Match(ConceptMapEquivalence equivalence, Coding concept, String conceptMap, boolean fromUnmapped) {

		/** Whether this match translates the code at all (unmatched and disjoint say it does not). */
		public boolean translates() {
			return equivalence != ConceptMapEquivalence.UNMATCHED && equivalence != ConceptMapEquivalence.DISJOINT && concept != null;
		}
	}

	/** What to translate, and where to look: every field but code may be null. */
	public record Request(String code, String system, String conceptMapUrl, String sourceValueSet, String targetValueSet,
			String targetSystem) {}

	/** The ConceptMap with this canonical URL ({@code url} or {@code url|version}). */
	public Optional<ConceptMap> byUrl(String canonical) {
		String url = canonical.contains("|") ? canonical.substring(0, canonical.indexOf('|')) : canonical;
		String version = canonical.contains("|") ? canonical.substring(canonical.indexOf('|') + 1) : null;
		return conceptMaps.stream().filter(m -> url.equals(m.getUrl()) && (version == null || version.equals(m.getVersion()))).findFirst();
	}

	public Optional<ConceptMap> byId(String id) {
		return conceptMaps.stream().filter(m -> id.equals(m.getIdElement().getIdPart())).findFirst();
	}

	/** Every match in the ConceptMaps the request selects, in map and group order. */
	public List<Match> translate(Request request) {
		List<Match> matches = new ArrayList<>();
		for (ConceptMap map : conceptMaps) {
			if (request.conceptMapUrl() != null && !request.conceptMapUrl().equals(map.getUrl())) {
				continue;
			}
			if (request.sourceValueSet() != null && !request.sourceValueSet().equals(map.hasSource() ? map.getSource().primitiveValue() : null)) {
				continue;
			}
			if (request.targetValueSet() != null && !request.targetValueSet().equals(map.hasTarget() ? map.getTarget().primitiveValue() : null)) {
				continue;
			}
			matches.addAll(translate(map, request.code(), request.system(), request.targetSystem()));
		}
		return matches;
	}

	/** Matches for a code in one map, honouring each group's unmapped rule. */
	public static List<Match> translate(ConceptMap map, String code, String system, String targetSystem) {
		List<Match> matches = new ArrayList<>();
		for (ConceptMapGroupComponent group : map.getGroup()) {
			if (system != null && !system.equals(group.getSource())) {
				continue;
			}
			if (targetSystem != null && !targetSystem.equals(group.getTarget())) {
				continue;
			}
			boolean found = false;
			for (SourceElementComponent element : group.getElement()) {
				if (!code.equals(element.getCode())) {
					continue;
				}
				found = true;
				for (TargetElementComponent target : element.getTarget()) {
					Coding concept = target.hasCode()
							? new Coding(group.getTarget(), target.getCode(), target.getDisplay()).setVersion(group.getTargetVersion())
							: null;
					matches.add(new Match(target.getEquivalence(), concept, map.getUrl(), false));
				}
			}
			if (!found && group.hasUnmapped() && group.getUnmapped().hasMode()) {
				switch (group.getUnmapped().getMode()) {
					case PROVIDED -> matches.add(new Match(ConceptMapEquivalence.INEXACT, new Coding(group.getTarget(), code, null),
							map.getUrl(), true));
					case FIXED -> matches.add(new Match(ConceptMapEquivalence.INEXACT,
							new Coding(group.getTarget(), group.getUnmapped().getCode(), group.getUnmapped().getDisplay()), map.getUrl(), true));
					default -> {
						// other-map: not followed; the code stays untranslated.
					}
				}
			}
		}
		return matches;
	}

	/**
	 * The one translation a map's {@code translate(source, map, 'coding')} gives: null when the map says nothing about the code (or says
	 * it is unmatched), so that the rule writes nothing.
	 *
	 * @throws TranslationProblem when the ConceptMap is unknown, or offers no usable or several different translations
	 */
	public Coding translateForMap(String conceptMapUrl, String system, String code) {
		ConceptMap map = byUrl(conceptMapUrl).orElseThrow(() -> new TranslationProblem("there is no ConceptMap " + conceptMapUrl));
		List<Match> matches = translate(map, code, system, null);
		List<Coding> usable = matches.stream().filter(m -> m.fromUnmapped() || USABLE.contains(m.equivalence()))
				.map(Match::concept).filter(c -> c != null).toList();
		if (usable.isEmpty()) {
			if (matches.stream().allMatch(m -> m.equivalence() == ConceptMapEquivalence.UNMATCHED)) {
				return null;
			}
			throw new TranslationProblem("ConceptMap " + conceptMapUrl + " has no usable translation for code '" + code
					+ "' (only narrower, inexact or disjoint ones)");
		}
		if (usable.stream().map(c -> c.getSystem() + "|" + c.getCode()).distinct().count() > 1) {
			throw new TranslationProblem("ConceptMap " + conceptMapUrl + " has several translations for code '" + code + "'");
		}
		return usable.get(0).copy();
	}

	/** A translation a map asked for cannot be made. */
	public static class TranslationProblem extends RuntimeException {
		public TranslationProblem(String message) {
			super(message);
		}
	}
}
