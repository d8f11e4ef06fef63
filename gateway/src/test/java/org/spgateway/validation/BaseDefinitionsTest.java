package org.spgateway.validation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.config.FhirConfig;

/**
 * The base definitions read beside start-up, and the validator's list of every StructureDefinition made from cached
 * lookups, give the validator exactly what HAPI's own adapter gives it.
 */
class BaseDefinitionsTest {

	private static final FhirContext FHIR = FhirConfig.shared();
	private static GatewayValidator.Conformance conformance;

	@BeforeAll
	static void readTheBaseDefinitionsAsStartUpDoes() {
		BaseDefinitions.loadInBackground(FHIR).await();
		conformance = GatewayValidator.conformance(FHIR, List.of());
	}

	@Test
	void everyStructureDefinitionIsListedInTheSameOrderAndFormAsHapisAdapterListsIt() {
		List<StructureDefinition> hapi = new WorkerContextValidationSupportAdapter(conformance.support()).fetchResourcesByType(StructureDefinition.class);
		List<StructureDefinition> ours = new CachingWorkerContext(conformance.support()).fetchResourcesByType(StructureDefinition.class);

		assertThat(ours).hasSameSizeAs(hapi).hasSizeGreaterThan(649);
		for (int i = 0; i < hapi.size(); i++) {
			assertThat(ours.get(i).getUrl()).isEqualTo(hapi.get(i).getUrl());
			assertThat(ours.get(i).equalsDeep(hapi.get(i))).as(hapi.get(i).getUrl()).isTrue();
			assertThat(ours.get(i).hasSnapshot()).as(hapi.get(i).getUrl()).isTrue();
		}
	}

	@Test
	void listingLooksNothingUpSoTheChainsOwnListStaysAsItWas() {
		// HAPI's chain lists a versioned definition a second time once it has been looked up by its bare URL.
		int before = conformance.support().fetchAllStructureDefinitions().size();
		new CachingWorkerContext(conformance.support()).fetchResourcesByType(StructureDefinition.class);
		assertThat(conformance.support().fetchAllStructureDefinitions()).hasSize(before);
	}

	@Test
	void theGatewaysOwnProfilesAreListedBesideTheBase() {
		List<String> urls = new CachingWorkerContext(conformance.support()).fetchResourcesByType(StructureDefinition.class).stream()
				.map(StructureDefinition::getUrl).toList();
		conformance.resources().requiredProfiles().values().forEach(url -> assertThat(urls).contains(url));
		assertThat(urls).contains("http://hl7.org/fhir/StructureDefinition/Patient", "http://hl7.org/fhir/StructureDefinition/string");
	}

	@Test
	void typesAndPrimitivesAreAnsweredAsHapisAdapterAnswersThem() {
		WorkerContextValidationSupportAdapter hapi = new WorkerContextValidationSupportAdapter(conformance.support());
		CachingWorkerContext ours = new CachingWorkerContext(conformance.support());
		for (String type : List.of("string", "code", "dateTime", "base64Binary", "Coding", "Reference", "Patient", "ServiceRequest", "Task", "nothing")) {
			assertThat(ours.isPrimitiveType(type)).as(type).isEqualTo(hapi.isPrimitiveType(type));
			assertThat(ours.isDataType(type)).as(type).isEqualTo(hapi.isDataType(type));
			assertThat(ours.fetchTypeDefinitions(type).stream().map(StructureDefinition::getUrl).toList()).as(type)
					.isEqualTo(hapi.fetchTypeDefinitions(type).stream().map(StructureDefinition::getUrl).toList());
		}
		assertThat(ours.isPrimitiveType("string")).isTrue();
		assertThat(ours.isPrimitiveType("Coding")).isFalse();
	}
}
