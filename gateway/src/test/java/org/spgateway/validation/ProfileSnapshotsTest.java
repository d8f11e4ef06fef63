package org.spgateway.validation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.junit.jupiter.api.Test;
import org.spgateway.config.GatewayProperties;
import org.spgateway.conformance.ConformanceResources;

/** The snapshots the build compiles are the ones start-up would compile, and are used only for the profiles they came from. */
class ProfileSnapshotsTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	private static ConformanceResources shipped() {
		return new ValidationConfig().conformanceResources(FHIR, new GatewayProperties());
	}

	@Test
	void theBuildsSnapshotsAreExactlyWhatStartUpWouldCompile() {
		ConformanceResources loaded = shipped();
		List<StructureDefinition> profiles = loaded.ofType(StructureDefinition.class);
		Map<String, StructureDefinition.StructureDefinitionSnapshotComponent> stored =
				ProfileSnapshots.stored(FHIR, ProfileSnapshots.key(FHIR, profiles));
		assertThat(stored.keySet()).as("the build wrote gateway/target/classes/" + ProfileSnapshots.RESOURCE)
				.containsExactlyInAnyOrderElementsOf(profiles.stream().map(StructureDefinition::getUrl).toList());

		new ProfileCompiler(FHIR).generate(loaded, ValidationConfig.supportChain(FHIR, loaded, BaseDefinitions.readOnDemand(FHIR)));
		IParser json = FHIR.newJsonParser();
		for (StructureDefinition compiled : profiles) {
			StructureDefinition fromBuild = new StructureDefinition().setSnapshot(stored.get(compiled.getUrl()));
			StructureDefinition fromStartUp = new StructureDefinition().setSnapshot(compiled.getSnapshot());
			assertThat(json.encodeResourceToString(fromBuild)).as(compiled.getUrl()).isEqualTo(json.encodeResourceToString(fromStartUp));
		}
	}

	@Test
	void startUpUsesTheBuildsSnapshots() {
		ConformanceResources loaded = shipped();
		new ProfileCompiler(FHIR).compile(loaded, () -> {
			throw new AssertionError("compiled at start-up although the build had compiled these profiles");
		});
		assertThat(loaded.ofType(StructureDefinition.class)).allSatisfy(p -> assertThat(p.getSnapshot().getElement()).isNotEmpty());
	}

	@Test
	void aChangedProfileHasAnotherKeySoItsSnapshotIsCompiledAtStartUp() {
		List<StructureDefinition> profiles = shipped().ofType(StructureDefinition.class);
		String shippedKey = ProfileSnapshots.key(FHIR, profiles);
		profiles.get(0).getDifferential().getElementFirstRep().setShort("changed after the build");
		String changedKey = ProfileSnapshots.key(FHIR, profiles);
		assertThat(changedKey).isNotEqualTo(shippedKey);
		assertThat(ProfileSnapshots.stored(FHIR, changedKey)).isEmpty();
	}
}
