package org.spgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.spgateway.intake.Referrals.search;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;

/**
 * The answer to a BaRS message is kept for gateway.intake.bars-message-retention to answer a resend with
 * the same Bundle id; after that a resend is recognised by its referral and answered with the first one,
 * storing nothing new.
 */
class BarsMessageRetentionIT {

	@Test
	void aResendAfterTheRetentionIsAnsweredByItsReferral() {
		try (GatewayServer gateway = GatewayServer.start("gateway.sandbox=true", "gateway.intake.bars-message-retention=5s")) {
			BarsMessageIT.Message message = new BarsMessageIT.Message();
			Bundle first = Http.parse(BarsMessageIT.send(gateway, message.body()), Bundle.class);
			assertThat(BarsMessageIT.header(first).getResponse().getCode()).isNotNull();
			Bundle kept = Http.parse(BarsMessageIT.send(gateway, message.body()), Bundle.class);
			assertThat(kept.getId()).as("within the retention: the first answer again").isEqualTo(first.getId());

			Bundle later = Awaitility.await("the stored answer forgotten").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
					.until(() -> {
						HttpResponse<String> again = BarsMessageIT.send(gateway, message.body());
						assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
						return Http.parse(again, Bundle.class);
					}, answer -> !answer.getId().equals(first.getId()));

			assertThat(BarsMessageIT.entry(later, ServiceRequest.class).getIdElement().getIdPart())
					.isEqualTo(BarsMessageIT.entry(first, ServiceRequest.class).getIdElement().getIdPart());
			assertThat(BarsMessageIT.entry(later, OperationOutcome.class).getIssueFirstRep().getDiagnostics())
					.contains("This referral was received before");
			String patient = BarsMessageIT.entry(first, ServiceRequest.class).getSubject().getReference();
			assertThat(search(gateway, "Encounter?patient=" + patient, Encounter.class)).as("nothing stored twice").hasSize(1);
		}
	}
}
