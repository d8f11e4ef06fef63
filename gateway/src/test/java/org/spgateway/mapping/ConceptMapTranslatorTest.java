package org.spgateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.ConceptMap.ConceptMapGroupComponent;
import org.hl7.fhir.r4.model.ConceptMap.ConceptMapGroupUnmappedMode;
import org.hl7.fhir.r4.model.Enumerations.ConceptMapEquivalence;
import org.junit.jupiter.api.Test;
import org.spgateway.mapping.ConceptMapTranslator.Match;
import org.spgateway.mapping.ConceptMapTranslator.Request;
import org.spgateway.mapping.ConceptMapTranslator.TranslationProblem;

/** The translation rules shared by $translate and the translate() of maps. */
class ConceptMapTranslatorTest {

	private static final String URL = "https://example.org/ConceptMap/status";
	private static final String FROM = "https://partner.example/status";
	private static final String TO = "https://example.org/business-status";

	private static ConceptMap map(ConceptMapGroupUnmappedMode unmapped) {
		ConceptMap map = new ConceptMap();
		map.setId("status");
		map.setUrl(URL);
		ConceptMapGroupComponent group = map.addGroup().setSource(FROM).setTarget(TO);
		group.addElement().setCode("ALLOCATED").addTarget().setCode("allocated").setDisplay("Allocated")
				.setEquivalence(ConceptMapEquivalence.EQUIVALENT);
		group.addElement().setCode("DNA").addTarget().setCode("did-not-attend").setEquivalence(ConceptMapEquivalence.NARROWER);
		group.addElement().setCode("MISC").addTarget().setEquivalence(ConceptMapEquivalence.UNMATCHED);
		var both = group.addElement().setCode("CLOSED");
		both.addTarget().setCode("discharged").setEquivalence(ConceptMapEquivalence.WIDER);
		both.addTarget().setCode("not-engaged").setEquivalence(ConceptMapEquivalence.WIDER);
		if (unmapped != null) {
			group.getUnmapped().setMode(unmapped).setCode("other").setDisplay("Other");
		}
		return map;
	}

	private static ConceptMapTranslator translator(ConceptMapGroupUnmappedMode unmapped) {
		return new ConceptMapTranslator(List.of(map(unmapped)));
	}

	@Test
	void anEquivalentCodeTranslatesWithItsDisplay() {
		Coding coding = translator(null).translateForMap(URL, FROM, "ALLOCATED");
		assertThat(coding.getSystem()).isEqualTo(TO);
		assertThat(coding.getCode()).isEqualTo("allocated");
		assertThat(coding.getDisplay()).isEqualTo("Allocated");
	}

	@Test
	void aCodeWithoutASystemMatchesInAnyGroup() {
		assertThat(translator(null).translateForMap(URL, null, "ALLOCATED").getCode()).isEqualTo("allocated");
	}

	@Test
	void aCodeTheMapDoesNotListGivesNothingUnlessTheGroupSaysWhatToDo() {
		assertThat(translator(null).translateForMap(URL, FROM, "NEW")).isNull();
		assertThat(translator(ConceptMapGroupUnmappedMode.FIXED).translateForMap(URL, FROM, "NEW").getCode()).isEqualTo("other");
		assertThat(translator(ConceptMapGroupUnmappedMode.PROVIDED).translateForMap(URL, FROM, "NEW").getCode()).isEqualTo("NEW");
	}

	@Test
	void aCodeMarkedUnmatchedGivesNothing() {
		assertThat(translator(ConceptMapGroupUnmappedMode.FIXED).translateForMap(URL, FROM, "MISC")).isNull();
	}

	@Test
	void aMapCannotTakeANarrowerTranslationOrChooseBetweenSeveral() {
		assertThatThrownBy(() -> translator(null).translateForMap(URL, FROM, "DNA")).isInstanceOf(TranslationProblem.class)
				.hasMessageContaining("no usable translation for code 'DNA'");
		assertThatThrownBy(() -> translator(null).translateForMap(URL, FROM, "CLOSED")).isInstanceOf(TranslationProblem.class)
				.hasMessageContaining("several translations for code 'CLOSED'");
		assertThatThrownBy(() -> translator(null).translateForMap("https://example.org/none", FROM, "CLOSED"))
				.hasMessageContaining("there is no ConceptMap https://example.org/none");
	}

	@Test
	void translateReportsEveryCandidateWithItsEquivalence() {
		List<Match> matches = translator(null).translate(new Request("CLOSED", FROM, null, null, null, null));
		assertThat(matches).extracting(m -> m.concept().getCode()).containsExactly("discharged", "not-engaged");
		assertThat(matches).allMatch(Match::translates);
		List<Match> narrower = translator(null).translate(new Request("DNA", FROM, null, null, null, null));
		assertThat(narrower).singleElement().satisfies(m -> assertThat(m.equivalence()).isEqualTo(ConceptMapEquivalence.NARROWER));
		assertThat(translator(null).translate(new Request("MISC", FROM, null, null, null, null))).noneMatch(Match::translates);
	}

	@Test
	void translateLooksOnlyWhereTheRequestSays() {
		ConceptMapTranslator translator = translator(null);
		assertThat(translator.translate(new Request("ALLOCATED", "https://other.example/system", null, null, null, null))).isEmpty();
		assertThat(translator.translate(new Request("ALLOCATED", FROM, null, null, null, "https://other.example/target"))).isEmpty();
		assertThat(translator.translate(new Request("ALLOCATED", FROM, "https://example.org/ConceptMap/other", null, null, null))).isEmpty();
		assertThat(translator.translate(new Request("ALLOCATED", FROM, URL, null, null, TO))).hasSize(1);
	}
}
