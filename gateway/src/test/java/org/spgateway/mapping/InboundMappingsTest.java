package org.spgateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StructureMap;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;

/** The seam intake uses: a referral from a partner's organisation comes out in the gateway's shape; any other is left alone. */
class InboundMappingsTest {

	private static InboundMappings inbound() {
		LoadedMappings shipped = LoadedMappings.shipped();
		Set<String> maps = shipped.conformance.ofType(StructureMap.class).stream().map(StructureMap::getUrl).collect(Collectors.toSet());
		Set<String> conceptMaps = shipped.conformance.ofType(ConceptMap.class).stream().map(ConceptMap::getUrl).collect(Collectors.toSet());
		Partners partners = new Partners(new PartnerLoader().load(List.of("classpath:profiles", "classpath:mappings"), maps, conceptMaps));
		return new InboundMappings(partners, shipped.engine);
	}

	private static ServiceRequest meadowReferral() {
		return (ServiceRequest) GatewayServer.fhirContext().newJsonParser().parseResource(
				Fixtures.text(MapGoldenTest.class, "golden/meadow-gp-referral-inbound/full-referral.input.json"));
	}

	@Test
	void aReferralFromAMeadowPracticeComesOutInTheGatewaysShape() {
		InboundMappings inbound = inbound();
		ServiceRequest referral = meadowReferral();
		assertThat(inbound.senderOf(referral)).hasValueSatisfying(p -> assertThat(p.id()).isEqualTo("meadow-gp"));
		ServiceRequest made = (ServiceRequest) inbound.referral(referral);
		assertThat(made).isNotSameAs(referral);
		assertThat(made.getExtensionByUrl("https://spgateway.org/fhir/StructureDefinition/sp-referral-source")).isNotNull();
		assertThat(made.getReasonCodeFirstRep().getCodingFirstRep().getCode()).isEqualTo("44054006");
	}

	@Test
	void aReferralFromAnOrganisationNoPartnerSpeaksForIsLeftAlone() {
		ServiceRequest referral = meadowReferral();
		referral.setRequester(new Reference()
				.setIdentifier(new Identifier().setSystem("https://fhir.nhs.uk/Id/ods-organization-code").setValue("A99901")));
		assertThat(inbound().senderOf(referral)).isEmpty();
		Resource same = inbound().referral(referral);
		assertThat(same).isSameAs(referral);
		ServiceRequest noRequester = meadowReferral().setRequester(null);
		assertThat(inbound().referral(noRequester)).isSameAs(noRequester);
	}

	@Test
	void aReferralTheMapRefusesIsAMappingFailure() {
		ServiceRequest referral = meadowReferral();
		referral.addModifierExtension().setUrl("https://fhir.meadow-clinical.example/StructureDefinition/urgent-override")
				.setValue(new BooleanType(true));
		assertThatThrownBy(() -> inbound().referral(referral)).isInstanceOfSatisfying(MappingFailure.class,
				f -> assertThat(f.rule()).isEqualTo("noModifierExtensions"));
	}
}
