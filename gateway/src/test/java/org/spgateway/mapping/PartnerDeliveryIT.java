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
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.MessageHeader;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.HookReceiver;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.ReferralWork;

/**
 * Partners' delivery options over real HTTP, with a local receiver standing in for each partner's system, partner folders written
 * at test time into a test-only mappings location:
 * <ul>
 * <li>{@code testbook-provider}: the shipped Casebook partner renamed (organisation X99932), its webhook on the receiver, a static
 * and a secret header;</li>
 * <li>{@code codes-gp}: a referrer (A99901) taking codes only by fhir-rest-hook, with a secret Authorization header;</li>
 * <li>{@code idonly-gp}: a referrer (A99902) taking id-only notices on its JSON webhook;</li>
 * <li>{@code hook-provider}: a provider (X99933) taking its Tasks as an R4 rest-hook with the payload;</li>
 * <li>{@code bars-gp}: a referrer (A99903, added to the directory) taking BaRS messages at its own $process-message.</li>
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PartnerDeliveryIT {

	private static final ObjectMapper JSON = new ObjectMapper();

	@TempDir
	static Path folder;

	static HookReceiver hook;
	static GatewayServer gateway;
	static Reference testbook;
	static Reference hookProvider;
	static Reference xmlHookProvider;

	@BeforeAll
	static void start() throws Exception {
		hook = HookReceiver.start();
		Path mappings = Files.createDirectories(folder.resolve("mappings"));
		casebookCopy(mappings.resolve("testbook-provider"));
		partner(mappings, "codes-gp", """
				name: Codes-only GP system
				role: referrer
				organizations: [{system: https://fhir.nhs.uk/Id/ods-organization-code, value: A99901}]
				directions: [outbound]
				delivery:
				  channel: fhir-rest-hook
				  endpoint: %s
				  secretHeaders: [Authorization]
				  codesOnly: true
				""".formatted(hook.url("/codes-gp/fhir")));
		partner(mappings, "idonly-gp", """
				name: Id-only GP system
				role: referrer
				organizations: [{system: https://fhir.nhs.uk/Id/ods-organization-code, value: A99902}]
				directions: [outbound]
				delivery:
				  channel: json-webhook
				  endpoint: %s
				  payload: id-only
				""".formatted(hook.url("/idonly")));
		partner(mappings, "hook-provider", """
				name: Rest-hook provider platform
				role: provider
				organizations: [{system: https://fhir.nhs.uk/Id/ods-organization-code, value: X99933}]
				directions: [outbound]
				delivery:
				  channel: fhir-rest-hook
				  endpoint: %s
				""".formatted(hook.url("/hook-provider/fhir")));
		partner(mappings, "bars-gp", """
				name: BaRS GP system
				role: referrer
				organizations: [{system: https://fhir.nhs.uk/Id/ods-organization-code, value: A99903}]
				directions: [outbound]
				delivery:
				  channel: bars-process-message
				  endpoint: %s
				  headers:
				    NHSD-Target-Identifier: A99903
				""".formatted(hook.url("/bars-gp/fhir")));
		// The same three FHIR outputs for partners that asked for XML: a rest-hook provider, a BaRS referrer, a document referrer.
		partner(mappings, "xml-hook-provider", """
				name: XML rest-hook provider platform
				role: provider
				organizations: [{system: https://fhir.nhs.uk/Id/ods-organization-code, value: X99934}]
				directions: [outbound]
				delivery:
				  channel: fhir-rest-hook
				  endpoint: %s
				  format: application/fhir+xml
				""".formatted(hook.url("/xml-hook/fhir")));
		partner(mappings, "xml-bars-gp", """
				name: XML BaRS GP system
				role: referrer
				organizations: [{system: https://fhir.nhs.uk/Id/ods-organization-code, value: A99904}]
				directions: [outbound]
				delivery:
				  channel: bars-process-message
				  endpoint: %s
				  format: application/fhir+xml
				""".formatted(hook.url("/xml-bars/fhir")));
		eastfieldCopy(mappings.resolve("xmldocs-gp"));
		gateway = GatewayServer.start("gateway.sandbox=true", "gateway.feedback.require-https=false",
				"gateway.conformance.additional-locations=" + mappings, "gateway.directory.refresh-interval=100ms",
				"gateway.notifications.delivery.poll-interval=200ms", "gateway.notifications.delivery.initial-backoff=100ms",
				"gateway.notifications.delivery.max-backoff=300ms", "gateway.notifications.delivery.give-up-after=2s");
		testbook = ReferralWork.addProvider(gateway, "X99932");
		hookProvider = ReferralWork.addProvider(gateway, "X99933");
		// A practice for bars-gp: any organisation in the directory can refer.
		ReferralWork.addProvider(gateway, "A99903");
		xmlHookProvider = ReferralWork.addProvider(gateway, "X99934");
		ReferralWork.addProvider(gateway, "A99904");
		ReferralWork.addProvider(gateway, "A99905");
	}

	@AfterAll
	static void stop() {
		gateway.close();
		hook.close();
	}

	/** The shipped Casebook partner under another name: its own map, model and ConceptMap URLs, organisation X99932, webhook on the receiver. */
	private static void casebookCopy(Path partner) throws IOException, URISyntaxException {
		Path shipped = Path.of(PartnerDeliveryIT.class.getResource("/mappings/casebook-provider").toURI());
		Files.createDirectories(partner);
		try (Stream<Path> files = Files.list(shipped)) {
			for (Path file : files.toList()) {
				String text = Files.readString(file).replace("casebook-referral", "testbook-referral").replace("CasebookReferral", "TestbookReferral")
						.replace("casebook-status", "testbook-status").replace("X99931", "X99932")
						.replace("https://api.casebook.example/v2/brightwater/referrals", hook.url("/casebook"));
				Files.writeString(partner.resolve(file.getFileName().toString().replace("casebook", "testbook")), text);
			}
		}
	}

	/** The shipped Eastfield document partner under another name and map URL, organisation A99905, asking for XML. */
	private static void eastfieldCopy(Path partner) throws IOException, URISyntaxException {
		Path shipped = Path.of(PartnerDeliveryIT.class.getResource("/mappings/eastfield-gp-documents").toURI());
		Files.createDirectories(partner);
		try (Stream<Path> files = Files.list(shipped)) {
			for (Path file : files.toList()) {
				String text = Files.readString(file).replace("eastfield-gp-feedback-document", "xmldocs-gp-feedback-document")
						.replace("EastfieldGpFeedbackDocument", "XmldocsGpFeedbackDocument").replace("A99941", "A99905")
						.replace("https://documents.eastfield-clinical.example/fhir/Bundle", hook.url("/xml-docs/fhir/Bundle"))
						.replace("  payload: full", "  payload: full\n  format: application/fhir+xml");
				Files.writeString(partner.resolve(file.getFileName()), text);
			}
		}
	}

	private static void partner(Path mappings, String id, String descriptor) throws IOException {
		Files.writeString(Files.createDirectories(mappings.resolve(id)).resolve("partner.yaml"), descriptor);
	}

	private static String[] as(String client) {
		return new String[] {"Authorization", "Bearer " + gateway.tokenFor(client)};
	}

	private static HttpResponse<String> setSecret(String partner, String header, String client) {
		String body = "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"header\",\"valueString\":\"" + header + "\"}]}";
		String[] auth = as(client);
		return Http.post(gateway.baseUrl() + "/$partner-headers?partner=" + partner, body, auth[0], auth[1]);
	}

	@Test
	@Order(1)
	void aProviderPlatformGetsItsFlatJsonReferralOnItsWebhookWithItsHeadersWhenAReferralIsRoutedToIt() throws Exception {
		HttpResponse<String> refused = setSecret("testbook-provider", "X-Casebook-Api-Key: cb-key-1", "demo-gp");
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
		HttpResponse<String> set = setSecret("testbook-provider", "X-Casebook-Api-Key: cb-key-1", "demo-admin");
		assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
		assertThat(set.body()).contains("X-Casebook-Api-Key: ***").doesNotContain("cb-key-1");
		HttpResponse<String> unknown = setSecret("testbook-provider", "X-Other: value", "demo-admin");
		assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(422);
		assertThat(unknown.body()).contains("'X-Other' is not a secret header of").contains("X-Casebook-Api-Key");

		ReferralWork.Referral referral = ReferralWork.refer(gateway, testbook);

		HookReceiver.Received routed = hook.await(r -> r.path().equals("/casebook") && r.body().contains(referral.taskId()), 1,
				Duration.ofSeconds(30)).get(0);
		assertThat(routed.method()).isEqualTo("POST");
		assertThat(routed.header("Content-Type")).startsWith("application/json");
		assertThat(routed.header("X-Casebook-Tenant")).isEqualTo("brightwater");
		assertThat(routed.header("X-Casebook-Api-Key")).isEqualTo("cb-key-1");
		JsonNode json = JSON.readTree(routed.body());
		assertThat(json.has("resourceType")).isFalse();
		assertThat(json.get("gatewayTask").asText()).isEqualTo("Task/" + referral.taskId());
		assertThat(json.get("gatewayReferral").asText()).isEqualTo("ServiceRequest/" + referral.referralId());
		assertThat(json.get("status").asText()).isEqualTo("requested");
		assertThat(json.at("/person/nhsNumber").asText()).matches("[0-9]{10}");
		assertThat(json.at("/referrer/odsCode").asText()).isEqualTo("A99901");
		assertThat(json.at("/reasons/0/description").asText()).contains("benefits");

		// Casebook answers in its own words; the status change goes back to it in its shape.
		String parameters = "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"partner\",\"valueString\":\"testbook-provider\"},"
				+ "{\"name\":\"status\",\"valueCode\":\"ALLOCATED\"}]}";
		HttpResponse<String> allocated = Http.post(gateway.baseUrl() + "/Task/" + referral.taskId() + "/$partner-status", parameters);
		assertThat(allocated.statusCode()).as(allocated.body()).isEqualTo(200);
		HookReceiver.Received changed = hook.await(r -> r.path().equals("/casebook") && r.body().contains(referral.taskId())
				&& r.body().contains("\"accepted\""), 1, Duration.ofSeconds(30)).get(0);
		assertThat(JSON.readTree(changed.body()).get("status").asText()).isEqualTo("accepted");
	}

	@Test
	@Order(2)
	void aCodesOnlyReferrerGetsTheSnomedCodesItsRecordFilesAndNothingElse() {
		assertThat(setSecret("codes-gp", "Authorization: Bearer codes-gp-token", "demo-admin").statusCode()).isEqualTo(200);
		ReferralWork.Referral referral = ReferralWork.refer(gateway, ReferralWork.sandboxService());

		ReferralWork.change(gateway, referral.taskId(), t -> t.setStatus(Task.TaskStatus.ACCEPTED));

		HookReceiver.Received delivered = hook.await(r -> r.path().equals("/codes-gp/fhir") && r.body().contains(referral.referralId()), 1,
				Duration.ofSeconds(30)).get(0);
		assertThat(delivered.header("Authorization")).isEqualTo("Bearer codes-gp-token");
		Bundle transaction = GatewayServer.fhirContext().newJsonParser().parseResource(Bundle.class, delivered.body());
		assertThat(transaction.getType()).isEqualTo(Bundle.BundleType.TRANSACTION);
		assertThat(transaction.getEntry()).hasSize(1);
		Procedure filed = (Procedure) transaction.getEntryFirstRep().getResource();
		assertThat(filed.getCode().getCoding()).singleElement().satisfies(c -> {
			assertThat(c.getSystem()).isEqualTo("http://snomed.info/sct");
			assertThat(c.getCode()).isEqualTo("871731000000106");
		});
		assertThat(filed.getCode().hasText()).isFalse();
		assertThat(filed.hasText()).isFalse();
		assertThat(filed.hasNote()).isFalse();
		assertThat(filed.getBasedOnFirstRep().getReference()).isEqualTo("ServiceRequest/" + referral.referralId());
		assertThat(delivered.body()).doesNotContain("Communication").doesNotContain("accepted the referral");
		assertThat(communication(referral.referralId(), Communication.CommunicationStatus.COMPLETED).getStatus())
				.isEqualTo(Communication.CommunicationStatus.COMPLETED);
	}

	@Test
	@Order(3)
	void anIdOnlyReferrerGetsWhichResourceChangedAndNoneOfItsContent() throws Exception {
		ReferralWork.Referral referral = ReferralWork.refer(gateway, ReferralWork.sandboxService(),
				r -> r.getRequester().getIdentifier().setValue("A99902"));

		ReferralWork.change(gateway, referral.taskId(), t -> t.setStatus(Task.TaskStatus.ACCEPTED));

		HookReceiver.Received delivered = hook.await(r -> r.path().equals("/idonly") && r.body().contains(referral.referralId()), 1,
				Duration.ofSeconds(30)).get(0);
		JsonNode notice = JSON.readTree(delivered.body());
		assertThat(notice.get("event").asText()).isEqualTo("accepted");
		assertThat(notice.get("resource").asText()).startsWith("Communication/");
		assertThat(notice.get("referral").asText()).isEqualTo("ServiceRequest/" + referral.referralId());
		assertThat(notice.get("task").asText()).isEqualTo("Task/" + referral.taskId());
		assertThat(delivered.body()).doesNotContain("accepted the referral").doesNotContain("nhs-number");
		// The partner reads what the notice names, with its own credentials.
		HttpResponse<String> read = Http.get(gateway.baseUrl() + "/" + notice.get("resource").asText());
		assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
	}

	@Test
	@Order(4)
	void aRestHookProviderIsSentItsTaskAsAnR4RestHookWithThePayload() {
		ReferralWork.Referral referral = ReferralWork.refer(gateway, hookProvider);

		HookReceiver.Received delivered = hook.await(r -> r.path().equals("/hook-provider/fhir/Task/" + referral.taskId()), 1,
				Duration.ofSeconds(30)).get(0);
		assertThat(delivered.method()).isEqualTo("PUT");
		Task task = GatewayServer.fhirContext().newJsonParser().parseResource(Task.class, delivered.body());
		assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.REQUESTED);
		assertThat(task.getFocus().getReference()).isEqualTo("ServiceRequest/" + referral.referralId());
	}

	@Test
	@Order(5)
	void aPartnersChannelThatGaveUpIsReDrivenByAnAdministratorAndNotByAnotherPartner() throws Exception {
		hook.answer(503);
		int before = hook.attempts();
		ReferralWork.Referral referral = ReferralWork.refer(gateway, testbook);
		long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (hook.attempts() == before && System.nanoTime() < until) {
			sleep();
		}
		assertThat(hook.attempts()).as("refused attempts").isGreaterThan(before);
		// Past the give-up (2 s): the channel is suspended and keeps the message, even once the receiver works again.
		Thread.sleep(3_000);
		hook.answer(200);
		Thread.sleep(1_500);
		assertThat(hook.received(r -> r.path().equals("/casebook") && r.body().contains(referral.taskId()))).as("kept, not delivered").isEmpty();

		String[] gp = as("demo-gp");
		HttpResponse<String> notTheirs = Http.post(gateway.baseUrl() + "/$redrive?partner=testbook-provider", "", gp[0], gp[1]);
		assertThat(notTheirs.statusCode()).as(notTheirs.body()).isEqualTo(403);
		String[] admin = as("demo-admin");
		HttpResponse<String> unknown = Http.post(gateway.baseUrl() + "/$redrive?partner=nobody", "", admin[0], admin[1]);
		assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(400);
		HttpResponse<String> redriven = Http.post(gateway.baseUrl() + "/$redrive?partner=testbook-provider", "", admin[0], admin[1]);
		assertThat(redriven.statusCode()).as(redriven.body()).isEqualTo(200);
		Parameters count = Http.parse(redriven, Parameters.class);
		assertThat(((IntegerType) count.getParameter("count").getValue()).getValue()).isGreaterThanOrEqualTo(1);

		HookReceiver.Received delivered = hook.await(r -> r.path().equals("/casebook") && r.body().contains(referral.taskId()), 1,
				Duration.ofSeconds(30)).get(0);
		assertThat(JSON.readTree(delivered.body()).get("status").asText()).isEqualTo("requested");
	}

	@Test
	@Order(6)
	void aBarsReferrerGetsTheServiceRequestResponseMessageAtItsProcessMessageWithItsHeaders() {
		ReferralWork.Referral referral = ReferralWork.refer(gateway, ReferralWork.sandboxService(),
				r -> r.getRequester().setDisplay("Test BaRS Practice").getIdentifier().setValue("A99903"));

		ReferralWork.change(gateway, referral.taskId(), t -> t.setStatus(Task.TaskStatus.ACCEPTED));

		HookReceiver.Received delivered = hook.await(r -> r.path().equals("/bars-gp/fhir/$process-message")
				&& r.body().contains(referral.referralId()), 1, Duration.ofSeconds(30)).get(0);
		assertThat(delivered.header("NHSD-Target-Identifier")).isEqualTo("A99903");
		Bundle message = GatewayServer.fhirContext().newJsonParser().parseResource(Bundle.class, delivered.body());
		assertThat(message.getType()).isEqualTo(Bundle.BundleType.MESSAGE);
		MessageHeader header = (MessageHeader) message.getEntryFirstRep().getResource();
		assertThat(header.getEventCoding().getCode()).isEqualTo("servicerequest-response");
		assertThat(header.getDestinationFirstRep().getEndpoint()).isEqualTo(hook.url("/bars-gp/fhir"));
		assertThat(communication(referral.referralId(), Communication.CommunicationStatus.COMPLETED).getStatus())
				.isEqualTo(Communication.CommunicationStatus.COMPLETED);
	}

	@Test
	@Order(7)
	void aRestHookProviderThatAskedForXmlIsSentItsTaskAsFhirXml() {
		ReferralWork.Referral referral = ReferralWork.refer(gateway, xmlHookProvider);

		HookReceiver.Received delivered = hook.await(r -> r.path().equals("/xml-hook/fhir/Task/" + referral.taskId()), 1,
				Duration.ofSeconds(30)).get(0);
		assertThat(delivered.header("Content-Type")).startsWith("application/fhir+xml");
		assertThat(delivered.body()).startsWith("<Task xmlns=\"http://hl7.org/fhir\"");
		Task task = GatewayServer.fhirContext().newXmlParser().parseResource(Task.class, delivered.body());
		assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.REQUESTED);
		assertThat(task.getFocus().getReference()).isEqualTo("ServiceRequest/" + referral.referralId());
	}

	@Test
	@Order(8)
	void aBarsReferrerThatAskedForXmlGetsTheServiceRequestResponseMessageAsFhirXml() {
		ReferralWork.Referral referral = ReferralWork.refer(gateway, ReferralWork.sandboxService(),
				r -> r.getRequester().setDisplay("Test XML BaRS Practice").getIdentifier().setValue("A99904"));
		ReferralWork.change(gateway, referral.taskId(), t -> t.setStatus(Task.TaskStatus.ACCEPTED));

		HookReceiver.Received delivered = hook.await(r -> r.path().equals("/xml-bars/fhir/$process-message")
				&& r.body().contains(referral.referralId()), 1, Duration.ofSeconds(30)).get(0);
		assertThat(delivered.header("Content-Type")).startsWith("application/fhir+xml");
		Bundle message = GatewayServer.fhirContext().newXmlParser().parseResource(Bundle.class, delivered.body());
		assertThat(message.getType()).isEqualTo(Bundle.BundleType.MESSAGE);
		assertThat(((MessageHeader) message.getEntryFirstRep().getResource()).getEventCoding().getCode()).isEqualTo("servicerequest-response");
	}

	@Test
	@Order(9)
	void aDocumentReferrerThatAskedForXmlGetsItsFeedbackDocumentAsFhirXml() {
		ReferralWork.Referral referral = ReferralWork.refer(gateway, ReferralWork.sandboxService(),
				r -> r.getRequester().setDisplay("Test XML Document Practice").getIdentifier().setValue("A99905"));
		ReferralWork.change(gateway, referral.taskId(), t -> t.setStatus(Task.TaskStatus.ACCEPTED));

		HookReceiver.Received delivered = hook.await(r -> r.path().equals("/xml-docs/fhir/Bundle")
				&& r.body().contains(referral.referralId()), 1, Duration.ofSeconds(30)).get(0);
		assertThat(delivered.header("Content-Type")).startsWith("application/fhir+xml");
		Bundle document = GatewayServer.fhirContext().newXmlParser().parseResource(Bundle.class, delivered.body());
		assertThat(document.getType()).isEqualTo(Bundle.BundleType.DOCUMENT);
		assertThat(document.getEntryFirstRep().getResource().fhirType()).isEqualTo("Composition");
	}

	/** The referral's feedback Communication, once it reaches {@code status} (or after 20 s). */
	private static Communication communication(String referralId, Communication.CommunicationStatus status) {
		long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		Communication said;
		do {
			Bundle found = Http.parse(Http.get(gateway.baseUrl() + "/Communication?based-on=ServiceRequest/" + referralId), Bundle.class);
			said = (Communication) found.getEntryFirstRep().getResource();
			if (said != null && said.getStatus() == status) {
				return said;
			}
			sleep();
		} while (System.nanoTime() < until);
		return said;
	}

	private static void sleep() {
		try {
			Thread.sleep(100);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
