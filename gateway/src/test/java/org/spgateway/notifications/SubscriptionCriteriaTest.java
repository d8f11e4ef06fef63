package org.spgateway.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.Test;
import org.spgateway.store.StoredResource;

/** Criteria evaluated in memory, with the semantics of a search with the same parameters. */
class SubscriptionCriteriaTest {

	static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";

	static boolean matches(String criteria, Resource resource) {
		SubscriptionCriteria c = SubscriptionCriteria.parse(criteria, SearchSetup.REGISTRY, SearchSetup.PARSER, SearchSetup.TYPES);
		StoredResource stored = new StoredResource(1, resource.fhirType(), resource.getIdElement().getIdPart(), 1,
				Instant.parse("2026-11-21T09:00:00Z"), StoredResource.ORIGIN_API, "{}");
		return c.matches(stored, SearchSetup.INDEXER.index(resource, c.indexedParams()));
	}

	static Task task() {
		Task task = new Task();
		task.setId("t1");
		task.setStatus(Task.TaskStatus.ACCEPTED);
		task.setIntent(Task.TaskIntent.ORDER);
		task.getCode().addCoding().setSystem("http://hl7.org/fhir/CodeSystem/task-code").setCode("fulfill");
		task.setFocus(new Reference("ServiceRequest/sr-1"));
		task.setFor(new Reference("Patient/p1"));
		task.setAuthoredOnElement(new org.hl7.fhir.r4.model.DateTimeType("2026-11-20T10:15:02+00:00"));
		task.getOwner().getIdentifier().setSystem(ODS).setValue("X99901");
		return task;
	}

	@Test
	void tokensAndIdentifiers() {
		assertThat(matches("Task?owner:identifier=" + ODS + "|X99901", task())).isTrue();
		assertThat(matches("Task?owner:identifier=X99901", task())).isTrue();
		assertThat(matches("Task?owner:identifier=" + ODS + "|X99902", task())).isFalse();
		assertThat(matches("Task?owner:identifier=|X99901", task())).isFalse();
		assertThat(matches("Task?status=accepted", task())).isTrue();
		assertThat(matches("Task?status=requested,accepted", task())).isTrue();
		assertThat(matches("Task?status:not=accepted", task())).isFalse();
		assertThat(matches("Task?code=http://hl7.org/fhir/CodeSystem/task-code|", task())).isTrue();
		assertThat(matches("Task?status=accepted&owner:identifier=X99902", task())).isFalse();
		assertThat(matches("Task", task())).isTrue();
		assertThat(matches("Task?", task())).isTrue();
		assertThat(matches("Patient?_id=t1", task())).isFalse();
	}

	@Test
	void referencesIdsAndMissing() {
		assertThat(matches("Task?focus=ServiceRequest/sr-1", task())).isTrue();
		assertThat(matches("Task?focus=sr-1", task())).isTrue();
		assertThat(matches("Task?focus=ServiceRequest/sr-2", task())).isFalse();
		assertThat(matches("Task?patient=p1", task())).isTrue();
		assertThat(matches("Task?subject:Patient=p1", task())).isTrue();
		assertThat(matches("Task?_id=t1", task())).isTrue();
		assertThat(matches("Task?_id:not=t1", task())).isFalse();
		assertThat(matches("Task?owner:missing=false", task())).isTrue();
		Task unowned = task();
		unowned.setOwner(null);
		assertThat(matches("Task?owner:missing=true", unowned)).isTrue();
		assertThat(matches("Task?owner:identifier=X99901", unowned)).isFalse();
	}

	@Test
	void datesAreRanges() {
		assertThat(matches("Task?authored-on=2026-11-20", task())).isTrue();
		assertThat(matches("Task?authored-on=2026-11", task())).isTrue();
		assertThat(matches("Task?authored-on=2026-11-21", task())).isFalse();
		assertThat(matches("Task?authored-on=gt2026-11-20T10:00:00Z", task())).isTrue();
		assertThat(matches("Task?authored-on=lt2026-11-20T10:00:00Z", task())).isFalse();
		assertThat(matches("Task?authored-on=ge2026-11-20&authored-on=le2026-11-20", task())).isTrue();
		assertThat(matches("Task?authored-on=sa2026-11-19", task())).isTrue();
		assertThat(matches("Task?authored-on=eb2026-11-20", task())).isFalse();
		assertThat(matches("Task?authored-on=ne2026-11-20", task())).isFalse();
		assertThat(matches("Task?_lastUpdated=ge2026-11-21T09:00:00Z", task())).isTrue();
		assertThat(matches("Task?_lastUpdated=lt2026-11-21", task())).isFalse();
	}

	@Test
	void stringsMatchPrefixesIgnoringCaseAndAccents() {
		Patient patient = new Patient();
		patient.setId("p1");
		patient.addName().setFamily("Ó'Brien-Carter").addGiven("Zoë");
		assertThat(matches("Patient?family=obrien", patient)).isFalse();
		assertThat(matches("Patient?family=ó'brien", patient)).isTrue();
		assertThat(matches("Patient?family=O'BRI", patient)).isTrue();
		assertThat(matches("Patient?given=zoe", patient)).isTrue();
		assertThat(matches("Patient?family:exact=Ó'Brien-Carter", patient)).isTrue();
		assertThat(matches("Patient?family:exact=ó'brien-carter", patient)).isFalse();
		assertThat(matches("Patient?family:contains=carter", patient)).isTrue();
		assertThat(matches("Patient?family=carter", patient)).isFalse();
	}

	@Test
	void numbersQuantitiesAndUris() {
		Observation obs = new Observation();
		obs.setId("o1");
		obs.setStatus(Observation.ObservationStatus.FINAL);
		obs.getCode().addCoding().setSystem("http://snomed.info/sct").setCode("718466001");
		obs.setValue(new Quantity().setValue(5.4).setSystem("http://unitsofmeasure.org").setCode("mmol/L"));
		assertThat(matches("Observation?value-quantity=5.4", obs)).isTrue();
		assertThat(matches("Observation?value-quantity=5", obs)).isTrue();
		assertThat(matches("Observation?value-quantity=5.0", obs)).isFalse();
		assertThat(matches("Observation?value-quantity=gt5|http://unitsofmeasure.org|mmol/L", obs)).isTrue();
		assertThat(matches("Observation?value-quantity=gt5|http://unitsofmeasure.org|mg", obs)).isFalse();
		assertThat(matches("Observation?value-quantity=le5", obs)).isFalse();

		Questionnaire q = new Questionnaire();
		q.setId("q1");
		q.setStatus(org.hl7.fhir.r4.model.Enumerations.PublicationStatus.ACTIVE);
		q.setUrl("https://spgateway.org/fhir/Questionnaire/ons4");
		assertThat(matches("Questionnaire?url=https://spgateway.org/fhir/Questionnaire/ons4", q)).isTrue();
		assertThat(matches("Questionnaire?url:below=https://spgateway.org/fhir/", q)).isTrue();
		assertThat(matches("Questionnaire?url=https://spgateway.org/fhir/", q)).isFalse();
	}

	@Test
	void whatCannotBeEvaluatedIsNamed() {
		assertThatThrownBy(() -> SubscriptionCriteria.parse("Task?colour=blue", SearchSetup.REGISTRY, SearchSetup.PARSER, SearchSetup.TYPES))
				.hasMessageContaining("Unknown search parameter 'colour'").hasMessageContaining("owner");
		assertThatThrownBy(() -> SubscriptionCriteria.parse("StructureDefinition?url=x", SearchSetup.REGISTRY, SearchSetup.PARSER, SearchSetup.TYPES))
				.hasMessageContaining("'StructureDefinition'");
		assertThatThrownBy(() -> SubscriptionCriteria.parse("Task?_sort=status", SearchSetup.REGISTRY, SearchSetup.PARSER, SearchSetup.TYPES))
				.hasMessageContaining("'_sort'");
		assertThatThrownBy(() -> SubscriptionCriteria.parse("Task?authored-on=soon", SearchSetup.REGISTRY, SearchSetup.PARSER, SearchSetup.TYPES))
				.hasMessageContaining("'soon' is not a FHIR date");
		assertThatThrownBy(() -> SubscriptionCriteria.parse("Observation?value-quantity=5x", SearchSetup.REGISTRY, SearchSetup.PARSER, SearchSetup.TYPES))
				.hasMessageContaining("'5x' is not a number");
		assertThatThrownBy(() -> SubscriptionCriteria.parse("Task?status:exact=accepted", SearchSetup.REGISTRY, SearchSetup.PARSER, SearchSetup.TYPES))
				.hasMessageContaining("':exact'");
		assertThatThrownBy(() -> SubscriptionCriteria.parse(" ", SearchSetup.REGISTRY, SearchSetup.PARSER, SearchSetup.TYPES))
				.hasMessageContaining("empty");
	}
}
