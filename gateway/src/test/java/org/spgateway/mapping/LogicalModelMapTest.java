package org.spgateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StructureMap;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;

/** Maps over logical models (a partner's flat JSON), with the shipped partners: strict reading, plain writing, results of their own. */
class LogicalModelMapTest {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static StructureMap map(String id) {
		return LoadedMappings.shipped().engine.byId(id).orElseThrow();
	}

	private static ObjectNode form() throws Exception {
		return (ObjectNode) JSON.readTree(Fixtures.text(LogicalModelMapTest.class, "golden/northside-self-referral-inbound/with-practice.input.json"));
	}

	@Test
	void whatAMapMadeCanBeChangedWithoutChangingTheMapsConstants() throws Exception {
		MapEngine engine = LoadedMappings.shipped().engine;
		Bundle first = (Bundle) engine.fromJson(map("northside-self-referral-inbound"), form());
		// Intake resolves urn:uuid references in place; the next referral must still get the map's own constant.
		((ServiceRequest) first.getEntry().get(1).getResource()).getRequester().setReference("Patient/stored");
		Bundle second = (Bundle) engine.fromJson(map("northside-self-referral-inbound"), form());
		assertThat(((ServiceRequest) second.getEntry().get(1).getResource()).getRequester().getReference())
				.isEqualTo("urn:uuid:2b7d4e1a-8c3f-4f6a-b5d2-000000000001");
	}

	@Test
	void aFieldOfTheWrongKindIsRefusedNamingItsPath() throws Exception {
		MapEngine engine = LoadedMappings.shipped().engine;
		ObjectNode listForValue = form();
		listForValue.putArray("phone").add("07700 900 733");
		assertThatThrownBy(() -> engine.fromJson(map("northside-self-referral-inbound"), listForValue)).isInstanceOf(LogicalJson.Problem.class)
				.hasMessage("phone is a single value, not a list").satisfies(p -> assertThat(((LogicalJson.Problem) p).path()).isEqualTo("phone"));
		ObjectNode textForBoolean = form();
		textForBoolean.put("consent", "yes");
		assertThatThrownBy(() -> engine.fromJson(map("northside-self-referral-inbound"), textForBoolean)).hasMessage("consent must be true or false");
		ObjectNode missing = form();
		missing.remove("inTheirOwnWords");
		assertThatThrownBy(() -> engine.fromJson(map("northside-self-referral-inbound"), missing))
				.hasMessageStartingWith("Northside Wellbeing Partnership: self-referral web form (flat JSON) needs 'inTheirOwnWords'");
		ObjectNode nested = form();
		((ObjectNode) nested.get("gpPractice")).put("postcode", "RV2");
		assertThatThrownBy(() -> engine.fromJson(map("northside-self-referral-inbound"), nested))
				.hasMessage("'postcode' is not a field of 'gpPractice'; its fields are odsCode, name");
	}

	@Test
	void aMapToALogicalModelWritesPlainJsonWithoutResourceType() throws Exception {
		MapEngine engine = LoadedMappings.shipped().engine;
		StructureMap feedback = map("riverside-asc-feedback-outbound");
		assertThat(engine.writesJson(feedback)).isTrue();
		assertThat(engine.readsJson(feedback)).isFalse();
		Bundle source = (Bundle) GatewayServer.fhirContext().newJsonParser()
				.parseResource(Fixtures.text(LogicalModelMapTest.class, "golden/riverside-asc-feedback-outbound/accepted.input.json"));
		JsonNode made = engine.toJson(feedback, source);
		assertThat(made.has("resourceType")).isFalse();
		assertThat(made.get("caseReference").asText()).isEqualTo("ASC-2026-004211");
	}
}
