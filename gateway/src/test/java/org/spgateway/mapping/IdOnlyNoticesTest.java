package org.spgateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.Test;
import org.spgateway.mapping.PartnerDefinition.Channel;
import org.spgateway.mapping.PartnerDefinition.Delivery;
import org.spgateway.mapping.PartnerDefinition.Payload;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;

/** Id-only notices name what changed and carry none of its content, as plain JSON or as the R4 backport's notification Bundle. */
class IdOnlyNoticesTest {

	private static final IdOnlyNotices NOTICES = new IdOnlyNotices("https://gateway.example/fhir/", GatewayServer.fhirContext());
	private static final PartnerDefinition PARTNER = new PartnerDefinition("hook-gp", "hook-gp/partner.yaml", "Hook GP", PartnerDefinition.Role.REFERRER,
			List.of(), List.of(PartnerDefinition.Direction.OUTBOUND), List.of(),
			new Delivery(Channel.FHIR_REST_HOOK, "https://gp.example/fhir", Map.of(), List.of(), Payload.ID_ONLY, false, null));

	private static Bundle feedback() {
		return GatewayServer.fhirContext().newJsonParser().parseResource(Bundle.class,
				Fixtures.text(IdOnlyNoticesTest.class, "golden/riverside-asc-feedback-outbound/accepted.input.json"))
				.setTimestamp(new Date(1_796_000_000_000L));
	}

	@Test
	void feedbackAsJsonNamesTheCommunicationTheReferralAndTheTaskAndNothingSaid() throws Exception {
		JsonNode notice = new ObjectMapper().readTree(NOTICES.feedbackJson(feedback()));
		assertThat(notice.get("event").asText()).isEqualTo("accepted");
		assertThat(notice.get("resource").asText()).isEqualTo("Communication/c-1");
		assertThat(notice.get("referral").asText()).isEqualTo("ServiceRequest/5b0e2c1a-7d40-4f0b-a1c2-3e4f5a6b7c8d");
		assertThat(notice.get("task").asText()).isEqualTo("Task/t-1");
		assertThat(notice.get("at").asText()).startsWith("2026-");
		assertThat(notice.toString()).doesNotContain("accepted the referral").doesNotContain("ASC-2026");
	}

	@Test
	void feedbackAsABackportNotificationIsAHistoryBundleFocusingTheCommunicationByItsFullUrl() {
		Bundle bundle = GatewayServer.fhirContext().newJsonParser().parseResource(Bundle.class, NOTICES.feedbackBundle(PARTNER, feedback()));
		assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.HISTORY);
		assertThat(bundle.getEntry()).hasSize(2);
		Parameters status = (Parameters) bundle.getEntryFirstRep().getResource();
		assertThat(status.getParameter("type").getValue().primitiveValue()).isEqualTo("event-notification");
		assertThat(status.getParameter("topic").getValue().primitiveValue()).isEqualTo(IdOnlyNotices.FEEDBACK_TOPIC);
		Reference focus = (Reference) status.getParameter("notification-event").getPart().stream()
				.filter(p -> p.getName().equals("focus")).findFirst().orElseThrow().getValue();
		assertThat(focus.getReference()).isEqualTo("https://gateway.example/fhir/Communication/c-1");
		assertThat(bundle.getEntry().get(1).getFullUrl()).isEqualTo("https://gateway.example/fhir/Communication/c-1");
		assertThat(bundle.getEntry().get(1).hasResource()).isFalse();
	}

	@Test
	void aTaskNotificationAsJsonNamesTheTaskItsReferralAndTheEvent() throws Exception {
		Task task = new Task();
		task.setId("Task/t-9");
		task.getFocus().setReference("ServiceRequest/sr-9");
		JsonNode notice = new ObjectMapper().readTree(NOTICES.notificationJson(PartnerNotifications.ROUTED, task, new Date()));
		assertThat(notice.get("event").asText()).isEqualTo("routed");
		assertThat(notice.get("resource").asText()).isEqualTo("Task/t-9");
		assertThat(notice.get("referral").asText()).isEqualTo("ServiceRequest/sr-9");
		Bundle bundle = GatewayServer.fhirContext().newJsonParser().parseResource(Bundle.class, NOTICES.notificationBundle(PARTNER, task, new Date()));
		assertThat(bundle.getEntry().get(1).getFullUrl()).isEqualTo("https://gateway.example/fhir/Task/t-9");
	}
}
