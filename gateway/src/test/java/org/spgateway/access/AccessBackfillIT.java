package org.spgateway.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.junit.jupiter.api.Test;
import org.spgateway.intake.TestNhsNumbers;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.ReferralWork;
import org.springframework.jdbc.core.JdbcTemplate;

/** A database from before per-organisation access: resources without rows get them at the next start, from the referral graph. */
class AccessBackfillIT {

	@Test
	void resourcesStoredWithoutAccessRowsAreGivenThemAtStartUpAndUntilThenStayHidden() {
		try (GatewayServer gateway = GatewayServer.start("gateway.sandbox=true")) {
			String gp = "Bearer " + gateway.tokenFor("demo-gp");
			String provider = "Bearer " + gateway.tokenFor("demo-provider");
			// A referral from before: stored with no caller, so the writer is unknown and only the referral graph tells.
			String patient = Fixtures.text(ReferralWork.class, "patient.json").replace("${NHS}", TestNhsNumbers.next());
			String patientId = Http.parse(Http.post(gateway.baseUrl() + "/Patient", patient), Patient.class).getIdElement().getIdPart();
			ServiceRequest referral = GatewayServer.fhirContext().newJsonParser().parseResource(ServiceRequest.class,
					Fixtures.text(ReferralWork.class, "referral.json").replace("${REF}", "REF-backfill").replace("${PATIENT}", patientId));
			referral.addPerformer(ReferralWork.sandboxService());
			HttpResponse<String> sent = Http.post(gateway.baseUrl() + "/ServiceRequest", Http.json(referral));
			assertThat(sent.statusCode()).as(sent.body()).isEqualTo(201);
			String referralId = Http.parse(sent, ServiceRequest.class).getIdElement().getIdPart();
			JdbcTemplate jdbc = gateway.bean(JdbcTemplate.class);
			jdbc.update("DELETE FROM resource_access");
			jdbc.update("UPDATE resource_access_backfill SET after_pk = 0, done = false");
			assertThat(Http.get(gateway.baseUrl() + "/ServiceRequest/" + referralId, "Authorization", gp).statusCode()).isEqualTo(404);

			gateway.restart();
			awaitBackfill(gateway.bean(JdbcTemplate.class));
			// The sandbox signs with a key of its own per start: tokens from before the restart are refused.
			gp = "Bearer " + gateway.tokenFor("demo-gp");
			provider = "Bearer " + gateway.tokenFor("demo-provider");
			assertThat(Http.get(gateway.baseUrl() + "/ServiceRequest/" + referralId, "Authorization", gp).statusCode()).isEqualTo(200);
			assertThat(Http.get(gateway.baseUrl() + "/Patient/" + patientId, "Authorization", gp).statusCode()).isEqualTo(200);
			// The sandbox service 9000102 is the community group VCS-0002's, not the provider's.
			assertThat(Http.get(gateway.baseUrl() + "/ServiceRequest/" + referralId, "Authorization", provider).statusCode()).isEqualTo(404);
			assertThat(Http.get(gateway.baseUrl() + "/ServiceRequest/" + referralId, "Authorization", "Bearer "
					+ gateway.tokenFor("demo-community")).statusCode()).isEqualTo(200);
		}
	}

	private static void awaitBackfill(JdbcTemplate jdbc) {
		Instant until = Instant.now().plus(Duration.ofSeconds(60));
		while (!Boolean.TRUE.equals(jdbc.queryForObject("SELECT done FROM resource_access_backfill", Boolean.class))) {
			assertThat(Instant.now()).as("backfill finished").isBefore(until);
			try {
				Thread.sleep(100);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new AssertionError(e);
			}
		}
	}
}
