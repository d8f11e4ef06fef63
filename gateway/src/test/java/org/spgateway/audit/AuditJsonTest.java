package org.spgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.AuditEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.security.Caller;
import org.spgateway.security.OrganisationId;
import org.spgateway.security.Role;

class AuditJsonTest {

	static final ModelAuditEvents EVENTS = new ModelAuditEvents("gw-test");
	static IParser hapi;

	@BeforeAll
	static void hapiAsTheGatewayConfiguresIt() {
		FhirContext context = FhirContext.forR4();
		context.getParserOptions().setStripVersionsFromReferences(false);
		hapi = context.newJsonParser();
	}

	@Test
	void everyKindOfEventIsWrittenAsHapiWritesItInTheChainsCanonicalForm() {
		for (AuditEvent event : kinds()) {
			ModelAuditChain.link(event, 42, AuditChain.GENESIS);
			String ours = AuditJson.encode(event);
			assertThat(AuditChain.canonical(ours)).isEqualTo(AuditChain.canonical(hapi.encodeResourceToString(event)));
			assertThat(ours).contains("\"id\":\"" + event.getIdElement().getIdPart() + "\"");
		}
	}

	@Test
	void aPendingEventReadBackByHapiIsWrittenAsItWasStoredOnceItsIdIsPlain() {
		for (AuditEvent event : kinds()) {
			String pending = AuditJson.encode(event);
			AuditEvent parsed = hapi.parseResource(AuditEvent.class, pending);
			assertThat(parsed.getIdElement().getValue()).startsWith("AuditEvent/");
			assertThat(AuditChain.canonical(AuditJson.encode(AuditJson.plainId(parsed)))).isEqualTo(AuditChain.canonical(pending));
		}
	}

	private static List<AuditEvent> kinds() {
		RequestAudit create = request("POST", "/Observation", null);
		create.interaction = "create";
		create.resourceType = "Observation";
		create.caller = new Caller("demo-gp", Role.REFERRER, List.of(new OrganisationId("https://fhir.nhs.uk/Id/ods-organization-code", "A99901")),
				Set.of("system/*.cruds"), false);
		RequestAudit refused = request("POST", "/Patient", null);
		refused.outcomeDescription = "the access token has expired";
		RequestAudit search = request("GET", "/Patient", "family=Okafor&_count=5");
		search.interaction = "search-type";
		search.resourceType = "Patient";
		RequestAudit breakGlass = request("GET", "/Patient/p1", null);
		breakGlass.interaction = "read";
		breakGlass.resourceType = "Patient";
		breakGlass.resourceId = "p1";
		breakGlass.caller = new Caller("demo-admin", Role.ADMINISTRATOR, List.of(), Set.of(), true);
		return List.of(EVENTS.rest(create, 201, List.of(new RequestAudit.Touched("Observation/o1/_history/1", "Patient/p1"))),
				EVENTS.rest(refused, 401, List.of()), EVENTS.rest(search, 200, List.of()), EVENTS.rest(breakGlass, 200, List.of()),
				EVENTS.transmit(new AuditEvents.Delivery(Instant.parse("2026-12-04T23:00:01.123Z"), "notification", "Subscription/s1",
						"Task/t1/_history/2", "Patient/p1", "receiver.example.org:8443", "r-1", "c-1", false, true, 503,
						"Could not deliver: the receiver answered 503")));
	}

	private static RequestAudit request(String method, String path, String query) {
		return new RequestAudit(Instant.parse("2026-12-04T23:00:00Z"), "11111111-2222-3333-4444-555555555555", "corr-1", "192.0.2.7",
				"https://gateway.example.org/fhir", method, path, query);
	}
}
