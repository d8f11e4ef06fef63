package org.spgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.Test;

class NarrowerParametersTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();
	private static final SearchParameterRegistry REGISTRY = new SearchParameterRegistry(FHIR, FHIR.newFhirPath(), List.of());
	/** The store's own FHIRPath engine, whose resolve() types a reference by its string. */
	private static final SearchIndexer INDEXER = new SearchIndexer(FHIR, new StoreConfig().indexingFhirPath(FHIR), REGISTRY,
			new SimpleMeterRegistry());

	@Test
	void patientIsSubjectNarrowedToPatientsOnReferralsAndTasks() {
		assertThat(REGISTRY.find("ServiceRequest", "subject").narrower()).containsExactly("patient");
		assertThat(REGISTRY.find("Task", "subject").narrower()).containsExactly("patient");
		assertThat(REGISTRY.find("ServiceRequest", "subject").rowParams()).containsExactly("subject", "patient");
		assertThat(REGISTRY.find("ServiceRequest", "patient").narrower()).isEmpty();
		assertThat(REGISTRY.find("ServiceRequest", "requester").narrower()).isEmpty();
	}

	@Test
	void aPatientReferredToIsStoredOnceAsPatientAndAGroupStaysASubject() {
		ServiceRequest referral = new ServiceRequest();
		Identifier nhsNumber = new Identifier().setSystem("https://fhir.nhs.uk/Id/nhs-number").setValue("9434765919");
		referral.setSubject(new Reference("Patient/p1").setIdentifier(nhsNumber));
		IndexRows all = INDEXER.index(referral);
		IndexRows stored = INDEXER.storedRows(referral);
		assertThat(all.references).extracting(IndexRows.Ref::param).containsExactlyInAnyOrder("subject", "patient");
		assertThat(stored.references).extracting(IndexRows.Ref::param).containsExactly("patient");
		assertThat(stored.references.get(0).targetId()).isEqualTo("p1");

		Task forGroup = new Task();
		forGroup.setFor(new Reference("Group/g1"));
		assertThat(INDEXER.storedRows(forGroup).references).extracting(IndexRows.Ref::param).containsExactly("subject");
	}

	@Test
	void onlyAFilterToOneTypeMakesAParameterNarrower() {
		assertThat(SearchParameterRegistry.narrowedToOneType("Task.for", "Task.for.where(resolve() is Patient)")).isTrue();
		assertThat(SearchParameterRegistry.narrowedToOneType("Task.for", "Task.for")).isFalse();
		assertThat(SearchParameterRegistry.narrowedToOneType("Task.for", "Task.for.where(status = 'x')")).isFalse();
		assertThat(SearchParameterRegistry.narrowedToOneType("Task.for", "Task.focus.where(resolve() is Patient)")).isFalse();
	}

	/** V101 removes the rows said twice from resources stored before; it must name exactly the types the registry pairs. */
	@Test
	void theMigrationNamesEveryTypeWhosePatientIsItsSubjectNarrowed() throws IOException {
		Set<String> paired = new TreeSet<>();
		for (String type : FHIR.getResourceTypes()) {
			SearchParamDef subject = REGISTRY.find(type, "subject");
			if (subject != null && subject.narrower().contains("patient")) {
				paired.add(type);
			}
		}
		String sql;
		try (InputStream in = getClass().getResourceAsStream("/db/migration/V101__narrower_reference_rows.sql")) {
			sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		Matcher list = Pattern.compile("res_type IN \\(([^)]*)\\)").matcher(sql);
		assertThat(list.find()).isTrue();
		Set<String> named = new TreeSet<>();
		for (String quoted : list.group(1).split(",")) {
			named.add(quoted.trim().replace("'", ""));
		}
		assertThat(named).isEqualTo(paired);
	}
}
