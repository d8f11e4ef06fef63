package org.spgateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StructureMap;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.spgateway.fhir.Outcomes;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Golden;

/**
 * Golden pairs for every partner's status words: {@code golden-status/<partner>/<case>.input.json} is a Parameters (partner,
 * status, note, and the Task before as {@code task}); {@code <case>.expected.json} is the Task the word makes, before the lifecycle
 * rules judge it (PartnerStatusIT covers those). {@code GOLDEN_UPDATE=true} rewrites the expected files; review the diff.
 */
class PartnerStatusGoldenTest {

	private static final String FOLDER = "golden-status";

	private static Partners partners;

	private static synchronized Partners partners() {
		if (partners == null) {
			LoadedMappings shipped = LoadedMappings.shipped();
			Set<String> maps = shipped.conformance.ofType(StructureMap.class).stream().map(StructureMap::getUrl).collect(Collectors.toSet());
			Set<String> conceptMaps = shipped.conformance.ofType(ConceptMap.class).stream().map(ConceptMap::getUrl).collect(Collectors.toSet());
			partners = new Partners(new PartnerLoader().load(List.of("classpath:profiles", "classpath:mappings"), maps, conceptMaps));
		}
		return partners;
	}

	private static PartnerStatusUpdates updates() {
		return new PartnerStatusUpdates(partners(), LoadedMappings.shipped().translator, null);
	}

	@TestFactory
	Stream<DynamicTest> eachPartnersStatusWordTurnsTheTaskBeforeIntoTheExpectedTask() {
		List<Path> inputs = Golden.inputs(PartnerStatusGoldenTest.class, FOLDER);
		assertThat(inputs).isNotEmpty();
		return inputs.stream().map(input -> {
			String partner = input.getParent().getFileName().toString();
			String name = input.getFileName().toString().replace(".input.json", "");
			return DynamicTest.dynamicTest(partner + ": " + name, () -> {
				Parameters in = (Parameters) GatewayServer.fhirContext().newJsonParser()
						.parseResource(Fixtures.text(PartnerStatusGoldenTest.class, FOLDER + "/" + partner + "/" + name + ".input.json"));
				assertThat(in.getParameter("partner").getValue().primitiveValue()).isEqualTo(partner);
				Task before = (Task) in.getParameter("task").getResource();
				String note = in.getParameter("note") == null ? null : in.getParameter("note").getValue().primitiveValue();
				PartnerDefinition definition = partners().byId(partner).orElseThrow();
				PartnerStatusUpdates.Change change = updates().change(definition, in.getParameter("status").getValue().primitiveValue());
				Task made = PartnerStatusUpdates.changed(before.copy(), change, note);
				Golden.assertMatches(PartnerStatusGoldenTest.class, FOLDER + "/" + partner + "/" + name + ".expected.json", Map.of(), made);
			});
		});
	}

	@TestFactory
	Stream<DynamicTest> everyPartnerWithStatusWordsHasGoldenCases() {
		List<String> covered = Golden.inputs(PartnerStatusGoldenTest.class, FOLDER).stream().map(p -> p.getParent().getFileName().toString()).distinct().toList();
		return partners().all().stream()
				.filter(p -> p.conceptMapFor(PartnerDefinition.Direction.INBOUND, PartnerDefinition.Message.STATUS_UPDATE).isPresent())
				.map(p -> DynamicTest.dynamicTest(p.id(), () -> assertThat(covered).as("golden status cases for %s", p.id()).contains(p.id())));
	}

	@Test
	void aWordTheConceptMapDoesNotKnowIsRefusedListingTheWordsItKnows() {
		PartnerDefinition casebook = partners().byId("casebook-provider").orElseThrow();
		assertThatThrownBy(() -> updates().change(casebook, "CLOSED_MOVED_AWAY")).isInstanceOfSatisfying(UnprocessableEntityException.class,
				e -> assertThat(Outcomes.outcomeOf(e).getIssueFirstRep().getDiagnostics())
						.contains("'CLOSED_MOVED_AWAY' is not a status word of Casebook")
						.contains("ALLOCATED, FIRST_CONTACT, DNA, PAUSED, CLOSED_ENGAGED, CLOSED_NOT_ENGAGED"));
	}

	@Test
	void aWordUnmatchedForTheStatusKeepsTheStatus() {
		PartnerStatusUpdates.Change dna = updates().change(partners().byId("casebook-provider").orElseThrow(), "DNA");
		assertThat(dna.status()).isNull();
		assertThat(dna.businessStatus().getCode()).isEqualTo("did-not-attend");
		assertThat(PartnerStatusUpdates.changed(new Task().setStatus(TaskStatus.ACCEPTED), dna, null).getStatus()).isEqualTo(TaskStatus.ACCEPTED);
	}

}
