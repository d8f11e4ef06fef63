package org.spgateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spgateway.intake.TestNhsNumbers;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.HookReceiver;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.ReferralWork;

/**
 * A new partner is a folder, with no Java: a social care case system written into a test-only mappings location (a copy of the
 * shipped Riverside partner under another name and organisation, its feedback webhook a local receiver) takes a flat JSON
 * referral at $partner-referral, and the provider's acceptance comes back to its webhook as flat JSON made by its outbound map,
 * through the outbox, with the Communication marked delivered.
 */
class PartnerFolderEndToEndIT {

	private static final ObjectMapper JSON = new ObjectMapper();

	@TempDir
	Path folder;

	/** The shipped Riverside partner, renamed: its own map, model and ConceptMap URLs, organisation A99922, webhook {@code hook}. */
	private Path testPartner(String hook) throws IOException, URISyntaxException {
		Path shipped = Path.of(PartnerFolderEndToEndIT.class.getResource("/mappings/riverside-social-care").toURI());
		Path partner = Files.createDirectories(folder.resolve("mappings").resolve("testcare-social-care"));
		try (Stream<Path> files = Files.list(shipped)) {
			for (Path file : files.toList()) {
				String text = Files.readString(file).replace("riverside-asc", "testcare-asc").replace("RiversideAsc", "TestcareAsc")
						.replace("A99921", "A99922").replace("Riverside adult social care case system", "Testcare case system")
						.replace("https://casework.riverside-council.example/api/social-prescribing/feedback", hook);
				Files.writeString(partner.resolve(file.getFileName().toString().replace("riverside-asc", "testcare-asc")), text);
			}
		}
		return partner.getParent();
	}

	private Path directory() throws IOException {
		Path file = folder.resolve("testcare-directory.json");
		Files.writeString(file, """
				{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"https://spgateway.org/fhir/sandbox/Organization/ods-A99922",
				 "resource":{"resourceType":"Organization","id":"ods-A99922","active":true,
				  "identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"A99922"}],
				  "type":[{"coding":[{"system":"https://spgateway.org/fhir/CodeSystem/sp-organization-kind","code":"social-care"}]}],
				  "name":"Testcare Council Adult Social Care"}}]}""");
		return file;
	}

	@Test
	void aSocialCarePartnerFolderInATestOnlyLocationTakesJsonReferralsAndGetsJsonFeedbackWithNoJava() throws Exception {
		try (HookReceiver hook = HookReceiver.start()) {
			Path mappings = testPartner(hook.url("/feedback"));
			try (GatewayServer gateway = GatewayServer.start("gateway.sandbox=true", "gateway.feedback.require-https=false",
					"gateway.conformance.additional-locations=" + mappings,
					"gateway.directory.seed-files=classpath:org/spgateway/mapping/intake/meadow-directory.json," + directory())) {
				String ref = "TC-" + UUID.randomUUID();
				String body = PartnerJsonReferralIT.riverside(TestNhsNumbers.next(), ref).replace("A99921", "A99922");
				HttpResponse<String> taken = Http.post(gateway.baseUrl() + "/$partner-referral?partner=testcare-social-care", body,
						"Content-Type", "application/json");
				assertThat(taken.statusCode()).as(taken.body()).isEqualTo(200);
				String referral = Http.parse(taken, Bundle.class).getEntry().get(1).getResponse().getLocation().replaceAll("/_history/.*", "");
				HttpResponse<String> queue = Http.get(gateway.baseUrl() + "/Task?focus=" + referral);
				Task task = (Task) Http.parse(queue, Bundle.class).getEntryFirstRep().getResource();

				ReferralWork.change(gateway, task.getIdElement().getIdPart(), t -> t.setStatus(Task.TaskStatus.ACCEPTED));

				List<HookReceiver.Received> delivered = hook.await(r -> r.path().equals("/feedback"), 1, Duration.ofSeconds(30));
				assertThat(delivered.get(0).header("Content-Type")).startsWith("application/json");
				JsonNode feedback = JSON.readTree(delivered.get(0).body());
				assertThat(feedback.has("resourceType")).isFalse();
				assertThat(feedback.get("caseReference").asText()).isEqualTo(ref);
				assertThat(feedback.get("event").asText()).isEqualTo("accepted");
				assertThat(feedback.get("status").asText()).isEqualTo("accepted");
				assertThat(feedback.get("gatewayReferral").asText()).isEqualTo(referral);
				assertThat(feedback.get("summary").asText()).contains("accepted");

				// The outbox's receipt marks the Communication delivered.
				long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
				Communication said;
				do {
					Bundle found = Http.parse(Http.get(gateway.baseUrl() + "/Communication?based-on=" + referral), Bundle.class);
					said = (Communication) found.getEntryFirstRep().getResource();
				} while (said.getStatus() != Communication.CommunicationStatus.COMPLETED && System.nanoTime() < until && pause());
				assertThat(said.getStatus()).isEqualTo(Communication.CommunicationStatus.COMPLETED);
			}
		}
	}

	private static boolean pause() {
		try {
			Thread.sleep(100);
			return true;
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return false;
		}
	}
}
