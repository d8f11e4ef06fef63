package org.spgateway.validation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.config.FhirConfig;

/**
 * The base definitions held once, in their R5 form, answer every caller as HAPI's own store of R4 definitions did: the
 * validator with the same R5 objects, and R4 callers (FHIRPath engines, maps) with the same definitions.
 */
class BaseDefinitionSupportTest {

	private static final FhirContext FHIR = FhirConfig.shared();
	private static BaseDefinitions definitions;
	private static BaseDefinitionSupport support;

	@BeforeAll
	static void readTheBaseDefinitionsAsStartUpDoes() {
		definitions = BaseDefinitions.loadInBackground(FHIR);
		definitions.await();
		support = new BaseDefinitionSupport(definitions);
	}

	@Test
	void everyBaseDefinitionAskedForByUrlIsTheDefinitionHapisOwnStoreHolds() {
		// HAPI's store read afresh: the gateway's read let its R4 copies go.
		List<StructureDefinition> hapi = new DefaultProfileValidationSupport(FHIR).fetchAllStructureDefinitions();
		assertThat(hapi).hasSize(definitions.definitions().byUrl().size());
		List<String> different = new ArrayList<>();
		for (StructureDefinition original : hapi) {
			StructureDefinition ours = (StructureDefinition) support.fetchStructureDefinition(original.getUrl());
			if (ours == null || !ours.equalsDeep(original)) {
				different.add(original.getUrl());
			}
		}
		assertThat(different).isEmpty();
	}

	@Test
	void theValidatorGetsTheVeryR5FormHapisWorkerContextGetsThroughTheChain() {
		GatewayValidator.Conformance conformance = GatewayValidator.conformance(FHIR, List.of());
		WorkerContextValidationSupportAdapter hapi = new WorkerContextValidationSupportAdapter(conformance.support());
		CachingWorkerContext ours = new CachingWorkerContext(conformance.support(), definitions);
		for (String type : List.of("Patient", "ServiceRequest", "Task", "Bundle", "string", "Extension", "vitalsigns")) {
			String url = "http://hl7.org/fhir/StructureDefinition/" + type;
			org.hl7.fhir.r5.model.StructureDefinition direct = ours.fetchResource(org.hl7.fhir.r5.model.StructureDefinition.class, url);
			assertThat(direct).as(url).isNotNull().isSameAs(hapi.fetchResource(org.hl7.fhir.r5.model.StructureDefinition.class, url));
			assertThat(direct.hasSnapshot()).as(url).isTrue();
		}
	}

	@Test
	void theListIsOfOutlinesThatNameTheirTypeAndCarryTheirR5Form() {
		List<StructureDefinition> list = support.fetchAllStructureDefinitions();
		assertThat(list).hasSize(definitions.definitions().byUrl().size());
		StructureDefinition patient = list.stream().filter(sd -> "http://hl7.org/fhir/StructureDefinition/Patient".equals(sd.getUrl()))
				.findFirst().orElseThrow();
		assertThat(patient.getType()).isEqualTo("Patient");
		assertThat(patient.getDerivation()).isEqualTo(StructureDefinition.TypeDerivationRule.SPECIALIZATION);
		assertThat(patient.getKind()).isEqualTo(StructureDefinition.StructureDefinitionKind.RESOURCE);
		assertThat(patient.hasSnapshot()).isFalse();
		assertThat(patient.getUserData(BaseDefinitionSupport.R5_FORM)).isSameAs(definitions.definitions().byUrl().get(patient.getUrl()));
	}

	@Test
	void aPrimitiveTypeNamedWithACapitalIsAnsweredAsHapiAnswersIt() {
		// A few R4 SearchParameters write value.as(String); HAPI answers with the string type's definition, typed as asked.
		StructureDefinition string = (StructureDefinition) support.fetchStructureDefinition("String");

		assertThat(string.getUrl()).isEqualTo("http://hl7.org/fhir/StructureDefinition/string");
		assertThat(string.getType()).isEqualTo("String");
		assertThat(support.fetchStructureDefinition("http://hl7.org/fhir/StructureDefinition/nothing")).isNull();
	}

	@Test
	void theBaseTerminologyIsStillThere() {
		assertThat(support.fetchValueSet("http://hl7.org/fhir/ValueSet/administrative-gender")).isNotNull();
		assertThat(support.fetchCodeSystem("http://hl7.org/fhir/administrative-gender")).isNotNull();
	}
}
