package org.spgateway.bulkimport;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.Test;
import org.spgateway.access.ResourceAccess;
import org.spgateway.store.LocalReference;
import org.spgateway.validation.ValidationIssue;

class ImportRulesTest {

	private static final String X99901 = "https://fhir.nhs.uk/Id/ods-organization-code|X99901";

	/** Organisation references stand for the ODS code they name; nothing else stands for an organisation. */
	private final ImportRules rules = new ImportRules(new ResourceAccess(FhirContext.forR4Cached(), reference -> reference.hasIdentifier()
			? Set.of(reference.getIdentifier().getSystem() + "|" + reference.getIdentifier().getValue()) : Set.of()));

	private static Reference ods(String code) {
		return new Reference().setIdentifier(new Identifier().setSystem("https://fhir.nhs.uk/Id/ods-organization-code").setValue(code));
	}

	private static Task task() {
		Task task = new Task();
		task.setId("t1");
		task.setFocus(new Reference("ServiceRequest/sr1"));
		task.setFor(new Reference("Patient/p1"));
		task.setOwner(ods("X99901"));
		task.addOutput().setValue(new Reference("Observation/o1"));
		return task;
	}

	private static ImportRules.Known known(Set<String> stored, Set<String> inJob) {
		return new ImportRules.Known() {
			@Override
			public boolean stored(String type, String id) {
				return stored.contains(type + "/" + id);
			}

			@Override
			public boolean inJob(String type, String id) {
				return inJob.contains(type + "/" + id);
			}
		};
	}

	@Test
	void everyLocalReferenceIsFoundWithThePathOfItsElement() {
		Provenance provenance = new Provenance();
		provenance.addTarget(new Reference("ServiceRequest/sr1/_history/1"));
		provenance.addTarget(new Reference("Task/t1/_history/2"));
		provenance.addAgent().setWho(new Reference("https://elsewhere.example/Practitioner/9"));

		Map<String, LocalReference> found = ImportRules.references(provenance);

		assertThat(found).containsOnlyKeys("Provenance.target[0]", "Provenance.target[1]");
		assertThat(found.get("Provenance.target[1]").versionless()).isEqualTo("Task/t1");
		assertThat(ImportRules.references(task())).containsOnlyKeys("Task.focus", "Task.for", "Task.output[0].value");
	}

	@Test
	void aReferenceToAnEarlierFileMustBeStoredWhileOneToALaterFileMayBeInTheJob() {
		Task task = task();
		// The referral and the person come before Tasks: held by the job is not enough, their lines may have been refused.
		assertThat(rules.unresolved(task, ImportRules.references(task), known(Set.of(), Set.of("ServiceRequest/sr1", "Patient/p1",
				"Observation/o1")))).extracting(ValidationIssue::expression).containsExactly("Task.focus", "Task.for");
		assertThat(rules.unresolved(task, ImportRules.references(task), known(Set.of("ServiceRequest/sr1", "Patient/p1"),
				Set.of("Observation/o1")))).isEmpty();
		assertThat(rules.unresolved(task, ImportRules.references(task), known(Set.of("ServiceRequest/sr1", "Patient/p1"), Set.of())))
				.singleElement().satisfies(p -> assertThat(p.diagnostics()).contains("Observation/o1").contains("this job's inputs"));
	}

	@Test
	void aProviderImportsOnlyTasksItOwnsAndReferralsForItsServices() {
		Task other = task();
		other.setOwner(ods("X99902"));
		ServiceRequest referral = new ServiceRequest();
		referral.addPerformer(ods("X99901"));
		referral.addPerformer(ods("X99902"));

		assertThat(rules.ownership(task(), Set.of(X99901))).isEmpty();
		assertThat(rules.ownership(other, Set.of(X99901))).extracting(ValidationIssue::expression).containsExactly("Task.owner");
		assertThat(rules.ownership(referral, Set.of(X99901))).extracting(ValidationIssue::expression).containsExactly("ServiceRequest.performer[1]");
		assertThat(rules.ownership(other, Set.of())).as("a tester in sandbox mode loads anything").isEmpty();
		assertThat(rules.ownership(new Observation(), Set.of(X99901))).isEmpty();
	}
}
