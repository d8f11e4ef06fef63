package org.spgateway.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.Golden;

/** Raw HTTP calls outcome tests make, asserting the status a client would see. */
final class OutcomeRequests {

	private OutcomeRequests() {}

	/** POSTs a QuestionnaireResponse that must be accepted; returns its new id. */
	static String create(GatewayServer gateway, String body) {
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/QuestionnaireResponse", body);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		String location = response.headers().firstValue("Location").orElseThrow();
		String path = location.substring(location.indexOf("QuestionnaireResponse/") + "QuestionnaireResponse/".length());
		return path.substring(0, path.indexOf('/'));
	}

	/** POSTs a QuestionnaireResponse that must be refused with 422; returns the OperationOutcome. */
	static OperationOutcome reject(GatewayServer gateway, String body) {
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/QuestionnaireResponse", body);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
		return Http.parse(response, OperationOutcome.class);
	}

	static QuestionnaireResponse wellbeingStar(TestReferrals.Referral referral) {
		return parse(Golden.fill(OutcomeRequests.class, "wellbeing-star-baseline.json", referral.placeholders()));
	}

	static QuestionnaireResponse ucla3(TestReferrals.Referral referral) {
		return parse(Golden.fill(OutcomeRequests.class, "ucla3-review.json", referral.placeholders()));
	}

	static QuestionnaireResponse parse(String json) {
		return GatewayServer.fhirContext().newJsonParser().parseResource(QuestionnaireResponse.class, json);
	}

	static String encode(QuestionnaireResponse response) {
		return GatewayServer.fhirContext().newJsonParser().encodeResourceToString(response);
	}

	/** Neither a response nor an Observation was stored for the referral. */
	static void assertNothingStored(GatewayServer gateway, TestReferrals.Referral referral) {
		for (String search : List.of("/QuestionnaireResponse?based-on=", "/Observation?based-on=")) {
			Bundle found = Http.parse(Http.get(gateway.baseUrl() + search + referral.reference() + "&_total=accurate"), Bundle.class);
			assertThat(found.getTotal()).as(search).isZero();
		}
	}

	/** GET ServiceRequest/[id]/$outcomes, which must answer 200. */
	static Parameters outcomes(GatewayServer gateway, TestReferrals.Referral referral) {
		HttpResponse<String> response = Http.get(gateway.baseUrl() + "/ServiceRequest/" + referral.id() + "/$outcomes");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Http.parse(response, Parameters.class);
	}

	/** The first part with this name. */
	static ParametersParameterComponent part(ParametersParameterComponent parent, String name) {
		return parent.getPart().stream().filter(p -> p.getName().equals(name)).findFirst()
				.orElseThrow(() -> new AssertionError("no part " + name));
	}

	/** A part's value as text (a Reference's reference). */
	static String value(ParametersParameterComponent parent, String name) {
		ParametersParameterComponent part = part(parent, name);
		return part.getValue() instanceof Reference r ? r.getReference() : part.getValue().primitiveValue();
	}
}
