package org.spgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SandboxGateway;

class ReferralIntakeIT {

	static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = SandboxGateway.get();
	}

	@Test
	void transactionReferralIsRoutedAndCreatesTask() {
		String body = Referrals.fill("transaction-referral.json", Map.of("NHS", Referrals.nhsNumber(), "REF", Referrals.referralId(),
				"BIRTH", "1968-04-12", "CONDITION", "44054006", "CONDITION_DISPLAY", "Type 2 diabetes mellitus")).replace("A99901", "A99902");
		HttpResponse<String> response = Http.post(gateway.baseUrl(), body, "Prefer", "return=OperationOutcome");
		System.out.println(response.body());
		assertThat(response.statusCode()).isEqualTo(200);
		Bundle result = Http.parse(response, Bundle.class);
		String location = result.getEntry().get(2).getResponse().getLocation();
		ServiceRequest sr = gateway.client().read().resource(ServiceRequest.class).withUrl(location.replaceAll("/_history/.*", "")).execute();
		System.out.println(GatewayServer.fhirContext().newJsonParser().setPrettyPrint(true).encodeResourceToString(sr));
		Bundle tasks = gateway.client().search().byUrl("Task?focus=" + sr.getIdElement().toUnqualifiedVersionless().getValue()).returnBundle(Bundle.class).execute();
		System.out.println(GatewayServer.fhirContext().newJsonParser().setPrettyPrint(true).encodeResourceToString(tasks));
		System.out.println(Http.get(gateway.baseUrl() + "/Provenance?target=" + sr.getIdElement().toUnqualifiedVersionless().getValue()).body());
		assertThat(tasks.getEntry()).hasSize(1);
	}
}
