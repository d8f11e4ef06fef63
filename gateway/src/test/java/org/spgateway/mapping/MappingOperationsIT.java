package org.spgateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.Map;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StructureMap;
import org.hl7.fhir.r4.model.Type;
import org.hl7.fhir.r4.model.UriType;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.Golden;
import org.spgateway.testsupport.Errors;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/** The shipped maps over HTTP: served and searchable, $transform and $translate as FHIR defines them, and nothing stored. */
class MappingOperationsIT {

	private static final String MAP_URL = "https://spgateway.org/fhir/StructureMap/meadow-gp-referral-inbound";
	private static final String REASONS = "https://spgateway.org/fhir/ConceptMap/meadow-gp-reason-to-snomed";
	private static final String MEADOW_REASON = "https://fhir.meadow-clinical.example/CodeSystem/referral-reason";
	private static final String GOLDEN = "golden/meadow-gp-referral-inbound/";

	private final GatewayServer gateway = SharedGateway.get();
	private final String base = gateway.baseUrl();

	private static String input(String name) {
		return Fixtures.text(MapGoldenTest.class, GOLDEN + name + ".input.json");
	}

	@Test
	void aMapWrittenInTheMappingLanguageIsServedAsAStructureMapAndFoundBySearch() {
		HttpResponse<String> read = Http.get(base + "/StructureMap/meadow-gp-referral-inbound");
		assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
		StructureMap map = Http.parse(read, StructureMap.class);
		assertThat(map.getUrl()).isEqualTo(MAP_URL);
		assertThat(map.getGroup()).extracting(StructureMap.StructureMapGroupComponent::getName).containsExactly("referral", "reasonCode");
		// The narrative is the map's own text, so that a reader sees what the author wrote.
		assertThat(map.getText().getDivAsString()).contains("group reasonCode(source reason, target out)");

		Bundle found = Http.parse(Http.get(base + "/StructureMap?url=" + MAP_URL), Bundle.class);
		assertThat(found.getEntry()).hasSize(1);
		Bundle conceptMaps = Http.parse(Http.get(base + "/ConceptMap?url=" + REASONS), Bundle.class);
		assertThat(conceptMaps.getEntry()).hasSize(1);
	}

	@Test
	void transformAtTypeLevelRunsTheMapNamedBySourceOverTheContentParameter() {
		Parameters in = new Parameters();
		in.addParameter().setName("source").setValue(new UriType(MAP_URL));
		ServiceRequest content = GatewayServer.fhirContext().newJsonParser().parseResource(ServiceRequest.class, input("full-referral"));
		in.addParameter().setName("content").setResource(content);
		HttpResponse<String> response = Http.post(base + "/StructureMap/$transform", Http.json(in));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Golden.assertMatches(MapGoldenTest.class, GOLDEN + "full-referral.expected.json", Map.of(), Http.parse(response, ServiceRequest.class));
	}

	@Test
	void transformAtInstanceLevelTakesTheResourceAsTheBodyAndStoresNothing() {
		int before = referralsWithIdentifier("MDW-A99911-000452");
		HttpResponse<String> response = Http.post(base + "/StructureMap/meadow-gp-referral-inbound/$transform", input("unmapped-codes"));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Golden.assertMatches(MapGoldenTest.class, GOLDEN + "unmapped-codes.expected.json", Map.of(), Http.parse(response, ServiceRequest.class));
		assertThat(referralsWithIdentifier("MDW-A99911-000452")).isEqualTo(before).isZero();
	}

	@Test
	void transformAlsoAcceptsTheMapUrlInTheQuery() {
		HttpResponse<String> response = Http.post(base + "/StructureMap/$transform?source=" + MAP_URL, input("full-referral"));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
	}

	@Test
	void transformTakesAPartnersOwnJsonAndAnswersTheCanonicalResourcesItsMapMakes() {
		String json = Fixtures.text(MapGoldenTest.class, "golden/riverside-asc-referral-inbound/full-referral.input.json");
		HttpResponse<String> response = Http.post(base + "/StructureMap/riverside-asc-referral-inbound/$transform", json,
				"Content-Type", "application/json");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Golden.assertMatches(MapGoldenTest.class, "golden/riverside-asc-referral-inbound/full-referral.expected.json", Map.of(),
				Http.parse(response, Bundle.class));
		HttpResponse<String> bySource = Http.post(base + "/StructureMap/$transform?source="
				+ "https://spgateway.org/fhir/StructureMap/northside-self-referral-inbound",
				Fixtures.text(MapGoldenTest.class, "golden/northside-self-referral-inbound/with-practice.input.json"), "Content-Type", "application/json");
		assertThat(bySource.statusCode()).as(bySource.body()).isEqualTo(200);
		assertThat(Http.parse(bySource, Bundle.class).getType()).isEqualTo(Bundle.BundleType.TRANSACTION);
	}

	@Test
	void transformOfAPartnersJsonRefusesAFieldItsModelLacksAndJsonForAFhirMapInPlainWords() {
		String json = Fixtures.text(MapGoldenTest.class, "golden/riverside-asc-referral-inbound/full-referral.input.json")
				.replace("\"firstName\"", "\"forename\"");
		HttpResponse<String> typo = Http.post(base + "/StructureMap/riverside-asc-referral-inbound/$transform", json,
				"Content-Type", "application/json");
		assertThat(typo.statusCode()).as(typo.body()).isEqualTo(422);
		OperationOutcome.OperationOutcomeIssueComponent issue = Http.parse(typo, OperationOutcome.class).getIssueFirstRep();
		assertThat(issue.getDiagnostics()).contains("'forename' is not a field of 'person'");
		assertThat(issue.getExpression()).extracting(Object::toString).containsExactly("person.forename");

		HttpResponse<String> notFhir = Http.post(base + "/StructureMap/meadow-gp-referral-inbound/$transform", "{\"caseReference\":\"X\"}",
				"Content-Type", "application/json");
		assertThat(notFhir.statusCode()).as(notFhir.body()).isEqualTo(422);
		assertThat(Errors.diagnostics(Http.parse(notFhir, OperationOutcome.class).getIssue())).contains("reads a ServiceRequest, and the body is not FHIR (it has no resourceType)");

		HttpResponse<String> fhirToJsonMap = Http.post(base + "/StructureMap/riverside-asc-referral-inbound/$transform", input("full-referral"));
		assertThat(fhirToJsonMap.statusCode()).as(fhirToJsonMap.body()).isEqualTo(422);
		assertThat(Errors.diagnostics(Http.parse(fhirToJsonMap, OperationOutcome.class).getIssue())).contains("reads a partner's own JSON");
	}

	@Test
	void transformWithAnOutboundMapToAPartnersJsonAnswersThatJson() throws Exception {
		String bundle = Fixtures.text(MapGoldenTest.class, "golden/casebook-referral-outbound/routed.input.json");
		HttpResponse<String> response = Http.post(base + "/StructureMap/casebook-referral-outbound/$transform", bundle, "Accept", "application/json");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
		Golden.assertJsonMatches(MapGoldenTest.class, "golden/casebook-referral-outbound/routed.expected.json",
				new ObjectMapper().readTree(response.body()));
	}

	@Test
	void aMapFailingAtRunTimeAnswers422NamingTheMapAndTheRule() {
		String withModifier = input("full-referral").replace("\"identifier\": [",
				"\"modifierExtension\": [ { \"url\": \"https://fhir.meadow-clinical.example/StructureDefinition/not-really\","
						+ " \"valueBoolean\": true } ],\n  \"identifier\": [");
		HttpResponse<String> response = Http.post(base + "/StructureMap/meadow-gp-referral-inbound/$transform", withModifier);
		OperationOutcome outcome = Errors.outcome(response, 422);
		assertThat(Errors.diagnostics(outcome.getIssue()))
				.contains("MeadowGpReferralInbound").contains(MAP_URL)
				.contains("rule 'noModifierExtensions'")
				.contains("modifierExtension.empty()");
		assertThat(Errors.expressions(outcome.getIssue())).containsExactly("ServiceRequest");
	}

	@Test
	void transformRefusesContentOfAnotherTypeAndAnUnknownMapInPlainWords() {
		OperationOutcome wrongType = Errors.outcome(Http.post(base + "/StructureMap/meadow-gp-referral-inbound/$transform",
				"{\"resourceType\":\"Patient\",\"gender\":\"female\"}"), 422);
		assertThat(Errors.diagnostics(wrongType.getIssue())).contains("reads a ServiceRequest and the content is a Patient");

		OperationOutcome unknown = Errors.outcome(Http.post(base + "/StructureMap/$transform?source=https://example.org/nope",
				input("full-referral")), 400);
		assertThat(Errors.diagnostics(unknown.getIssue())).contains("no StructureMap with the URL https://example.org/nope");
		assertThat(Errors.expressions(unknown.getIssue())).containsExactly("source");

		Errors.outcome(Http.post(base + "/StructureMap/no-such-map/$transform", input("full-referral")), 404);
		OperationOutcome noSource = Errors.outcome(Http.post(base + "/StructureMap/$transform", input("full-referral")), 400);
		assertThat(Errors.diagnostics(noSource.getIssue())).contains("'source' parameter");
		Errors.outcome(Http.post(base + "/StructureMap/$transform", "{\"resourceType\":\"Parameters\"}"), 400);
		Errors.outcome(Http.post(base + "/StructureMap/$transform?source=" + MAP_URL, "this is not FHIR"), 400);
	}

	@Test
	void translateByCodeAndSystemAnswersTheSnomedConceptAndTheMapItCameFrom() {
		Parameters out = Http.parse(okBody(Http.get(base + "/ConceptMap/$translate?code=DM2&system=" + MEADOW_REASON)), Parameters.class);
		assertThat(((BooleanType) out.getParameter("result").getValue()).booleanValue()).isTrue();
		ParametersParameterComponent match = out.getParameter("match");
		Coding concept = (Coding) part(match, "concept");
		assertThat(concept.getSystem()).isEqualTo("http://snomed.info/sct");
		assertThat(concept.getCode()).isEqualTo("44054006");
		assertThat(part(match, "equivalence").primitiveValue()).isEqualTo("equivalent");
		assertThat(part(match, "source").primitiveValue()).isEqualTo(REASONS);
	}

	@Test
	void translateOnOneConceptMapHonoursItsUnmappedRule() {
		Parameters in = new Parameters();
		in.addParameter().setName("coding")
				.setValue(new Coding("https://fhir.meadow-clinical.example/CodeSystem/referral-source", "LOCUM", null));
		Parameters out = Http.parse(okBody(Http.post(base + "/ConceptMap/meadow-gp-referral-source/$translate", Http.json(in))),
				Parameters.class);
		assertThat(((Coding) part(out.getParameter("match"), "concept")).getCode()).isEqualTo("other");
	}

	@Test
	void translateOfACodeNoMapKnowsIsResultFalseWithAMessage() {
		Parameters out = Http.parse(okBody(Http.get(base + "/ConceptMap/$translate?code=NOPE&system=" + MEADOW_REASON + "&url=" + REASONS)),
				Parameters.class);
		assertThat(((BooleanType) out.getParameter("result").getValue()).booleanValue()).isFalse();
		assertThat(out.getParameter("message").getValue().primitiveValue()).contains("No ConceptMap");
		assertThat(out.getParameter()).noneMatch(p -> p.getName().equals("match"));

		Parameters unmatched = Http.parse(okBody(Http.get(base + "/ConceptMap/$translate?code=OTHER&system=" + MEADOW_REASON)), Parameters.class);
		assertThat(((BooleanType) unmatched.getParameter("result").getValue()).booleanValue()).isFalse();
		assertThat(part(unmatched.getParameter("match"), "equivalence").primitiveValue()).isEqualTo("unmatched");
	}

	@Test
	void translateRefusesAMissingCodeAnUnknownMapAndReverse() {
		Errors.outcome(Http.get(base + "/ConceptMap/$translate?system=" + MEADOW_REASON), 400);
		Errors.outcome(Http.get(base + "/ConceptMap/$translate?code=DM2&url=https://example.org/nope"), 400);
		Errors.outcome(Http.get(base + "/ConceptMap/no-such-map/$translate?code=DM2"), 404);
		Errors.outcome(Http.get(base + "/ConceptMap/$translate?code=DM2&reverse=true"), 400);
	}

	private int referralsWithIdentifier(String value) {
		return Http.parse(Http.get(base + "/ServiceRequest?identifier=" + value), Bundle.class).getEntry().size();
	}

	private static HttpResponse<String> okBody(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return response;
	}

	private static Type part(ParametersParameterComponent parameter, String name) {
		return parameter.getPart().stream().filter(p -> p.getName().equals(name)).findFirst().orElseThrow().getValue();
	}
}
