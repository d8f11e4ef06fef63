package org.spgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;

/** A BaRS message is its sender's: a client may only send messages whose MessageHeader.sender is an organisation it acts for. */
class BarsSenderAccessIT {

	private static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = GatewayServer.start("gateway.sandbox=true");
	}

	@AfterAll
	static void stop() {
		gateway.close();
	}

	@Test
	void aPracticeSendingAMessageAsAnotherPracticeIsRefusedAndNothingIsStored() {
		// The message's sender is Hilltop Medical Practice, A99902; demo-gp acts for A99901.
		BarsMessageIT.Message message = new BarsMessageIT.Message();
		int before = referrals();
		HttpResponse<String> response = BarsMessageIT.send(gateway, message.body(), "Authorization", "Bearer " + gateway.tokenFor("demo-gp"));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
		OperationOutcome outcome = Http.parse(response, OperationOutcome.class);
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("MessageHeader.sender must be an organisation this client acts for");
		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Bundle.entry[0].resource.sender");
		assertThat(referrals()).isEqualTo(before);
	}

	@Test
	void thePracticeItselfSendsItsMessage() {
		BarsMessageIT.Message message = new BarsMessageIT.Message();
		HttpResponse<String> response = BarsMessageIT.send(gateway, message.body(), "Authorization", "Bearer " + gateway.tokenFor("demo-gp2"));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
	}

	private static int referrals() {
		return Http.parse(Http.get(gateway.baseUrl() + "/ServiceRequest?_summary=count"), Bundle.class).getTotal();
	}
}
