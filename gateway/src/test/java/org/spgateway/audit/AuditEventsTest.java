package org.spgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityComponent;
import org.junit.jupiter.api.Test;
import org.spgateway.security.Caller;
import org.spgateway.security.OrganisationId;
import org.spgateway.security.Role;

class AuditEventsTest {

	static final AuditEvents DIRECT = new AuditEvents("gw-test");
	static final IParser HAPI = FhirContext.forR4().newJsonParser();
	/** The events as written (AuditEventJson), read back by HAPI: what a reader of the trail gets. */
	static final Events EVENTS = new Events();

	static final class Events {

		AuditEvent rest(RequestAudit request, int status, List<RequestAudit.Touched> stored) {
			return read(DIRECT.rest(request, status, stored));
		}

		AuditEvent transmit(AuditEvents.Delivery delivery) {
			return read(DIRECT.transmit(delivery));
		}

		private static AuditEvent read(AuditEventJson.Event event) {
			return HAPI.parseResource(AuditEvent.class, AuditEventJson.unchained(event, "e-1"));
		}
	}
	static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";

	@Test
	void aCreateByAClientNamesTheClientItsOrganisationTheServerTheResourceThePatientAndTheIds() {
		RequestAudit request = request("POST", "/Observation", null);
		request.interaction = "create";
		request.resourceType = "Observation";
		request.caller = new Caller("demo-gp", Role.REFERRER, List.of(new OrganisationId(ODS, "A99901")), Set.of("system/*.cruds"), false);
		AuditEvent event = EVENTS.rest(request, 201, List.of(new RequestAudit.Touched("Observation/o1/_history/1", "Patient/p1")));

		assertThat(event.getType().getCode()).isEqualTo("rest");
		assertThat(event.getSubtypeFirstRep().getSystem()).isEqualTo("http://hl7.org/fhir/restful-interaction");
		assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("create");
		assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.C);
		assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
		AuditEventAgentComponent client = event.getAgent().get(0);
		assertThat(client.getRequestor()).isTrue();
		assertThat(client.getType().getCodingFirstRep().getCode()).isEqualTo("110153");
		assertThat(client.getWho().getIdentifier().getValue()).isEqualTo("demo-gp");
		assertThat(client.getNetwork().getAddress()).isEqualTo("192.0.2.7");
		assertThat(client.getRoleFirstRep().getCodingFirstRep().getCode()).isEqualTo("referrer");
		AuditEventAgentComponent organisation = event.getAgent().get(1);
		assertThat(organisation.getWho().getIdentifier().getSystem()).isEqualTo(ODS);
		assertThat(organisation.getWho().getIdentifier().getValue()).isEqualTo("A99901");
		AuditEventAgentComponent server = event.getAgent().get(2);
		assertThat(server.getRequestor()).isFalse();
		assertThat(server.getType().getCodingFirstRep().getCode()).isEqualTo("110152");
		assertThat(server.getNetwork().getAddress()).isEqualTo("https://gateway.example.org/fhir");
		assertThat(server.getNetwork().getType()).isEqualTo(AuditEvent.AuditEventAgentNetworkType._5);
		assertThat(event.getSource().getObserver().getIdentifier().getValue()).isEqualTo("gw-test");
		assertThat(event.getEntity()).extracting(e -> e.getWhat().getReference()).contains("Observation/o1/_history/1", "Patient/p1");
		assertThat(entity(event, "XrequestId").getWhat().getIdentifier().getValue()).isEqualTo("11111111-2222-3333-4444-555555555555");
		assertThat(entity(event, "XcorrelationId").getWhat().getIdentifier().getValue()).isEqualTo("corr-1");
		assertThat(event.getPurposeOfEvent()).isEmpty();
	}

	@Test
	void aRefusalBeforeHapiIsAnUnauthenticatedMinorFailureWithItsReason() {
		RequestAudit request = request("POST", "/Patient", null);
		request.outcomeDescription = "the access token has expired";
		AuditEvent event = EVENTS.rest(request, 401, List.of());
		assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
		assertThat(event.getOutcomeDesc()).isEqualTo("HTTP 401: the access token has expired");
		assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("create");
		assertThat(event.getAgentFirstRep().getName()).isEqualTo("unauthenticated");
		assertThat(event.getAgentFirstRep().getWho().hasIdentifier()).isFalse();
		assertThat(EVENTS.rest(request("GET", "/Patient/p1", null), 503, List.of()).getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._8);
	}

	@Test
	void aSearchKeepsItsQueryInBase64WithPersonalValuesHidden() {
		RequestAudit request = request("GET", "/Patient", "family=Okafor&_count=5");
		request.interaction = "search-type";
		request.resourceType = "Patient";
		AuditEvent event = EVENTS.rest(request, 200, List.of());
		assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.E);
		AuditEventEntityComponent query = event.getEntity().stream().filter(AuditEventEntityComponent::hasQuery).findFirst().orElseThrow();
		assertThat(query.getRole().getCode()).isEqualTo("24");
		assertThat(new String(query.getQuery(), StandardCharsets.UTF_8)).isEqualTo("family=*&_count=5");
	}

	@Test
	void breakGlassIsThePurposeOfTheEventAndOfTheClient() {
		RequestAudit request = request("GET", "/Patient/p1", null);
		request.interaction = "read";
		request.resourceType = "Patient";
		request.resourceId = "p1";
		request.caller = new Caller("demo-admin", Role.ADMINISTRATOR, List.of(), Set.of(), true);
		AuditEvent event = EVENTS.rest(request, 200, List.of());
		assertThat(event.getPurposeOfEventFirstRep().getCodingFirstRep().getCode()).isEqualTo("BTG");
		assertThat(event.getAgentFirstRep().getPurposeOfUseFirstRep().getCodingFirstRep().getCode()).isEqualTo("BTG");
		assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.R);
		assertThat(event.getEntity()).extracting(e -> e.getWhat().getReference()).contains("Patient/p1");
	}

	@Test
	void aFailedDeliveryIsATransmitExportWithTheReceiverAndTheReason() {
		AuditEvent event = EVENTS.transmit(new AuditEvents.Delivery(Instant.now(), "notification", "Subscription/s1", "Task/t1/_history/2",
				"Patient/p1", "receiver.example.org:8443", "r-1", "c-1", false, true, 503, "Could not deliver: the receiver answered 503"));
		assertThat(event.getType().getCode()).isEqualTo("110106");
		assertThat(event.getSubtype()).extracting(c -> c.getCode()).containsExactly("transmit", "notification");
		assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._8);
		assertThat(event.getOutcomeDesc()).isEqualTo("HTTP 503: Could not deliver: the receiver answered 503 (gave up)");
		assertThat(event.getAgent().get(1).getWho().getReference()).isEqualTo("Subscription/s1");
		assertThat(event.getAgent().get(1).getNetwork().getAddress()).isEqualTo("receiver.example.org:8443");
		assertThat(event.getEntity()).extracting(e -> e.getWhat().getReference()).contains("Task/t1/_history/2", "Patient/p1");
	}

	private static RequestAudit request(String method, String path, String query) {
		return new RequestAudit(Instant.parse("2026-12-04T23:00:00Z"), "11111111-2222-3333-4444-555555555555", "corr-1", "192.0.2.7",
				"https://gateway.example.org/fhir", method, path, query);
	}

	private static AuditEventEntityComponent entity(AuditEvent event, String type) {
		return event.getEntity().stream().filter(e -> type.equals(e.getType().getCode())).findFirst().orElseThrow();
	}
}
