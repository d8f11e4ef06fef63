package org.spgateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.Errors;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.ReferralWork;
import org.spgateway.testsupport.SharedGateway;

/** AuditEvent and Provenance are the gateway's own record: readable through the API, never written there. */
class RecordedResourcesIT {

	static GatewayServer gateway;
	static String base;
	static ReferralWork.Referral referral;
	static Provenance intakeProvenance;

	@BeforeAll
	static void referSomeone() {
		gateway = SharedGateway.get();
		base = gateway.baseUrl();
		referral = ReferralWork.refer(gateway, ReferralWork.sandboxService());
		Bundle found = Http.parse(Http.get(base + "/Provenance?target=ServiceRequest/" + referral.referralId()), Bundle.class);
		assertThat(found.getEntry()).as("intake records a Provenance for the referral").isNotEmpty();
		intakeProvenance = (Provenance) found.getEntryFirstRep().getResource();
	}

	private static Provenance forgedProvenance() {
		Provenance p = new Provenance();
		p.addTarget(new Reference("ServiceRequest/" + referral.referralId()));
		p.setRecordedElement(InstantType.now());
		p.addAgent().setWho(new Reference().setDisplay("someone else"));
		return p;
	}

	private static AuditEvent forgedAuditEvent() {
		AuditEvent a = new AuditEvent();
		a.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation"));
		a.setRecordedElement(InstantType.now());
		a.addAgent().setRequestor(true).setWho(new Reference().setDisplay("someone"));
		a.getSource().setObserver(new Reference().setDisplay("somewhere"));
		return a;
	}

	private static void refusedAsReadOnly(HttpResponse<String> response, String type) {
		OperationOutcome outcome = Errors.outcome(response, 405);
		assertThat(Errors.diagnostics(outcome.getIssue())).contains(type).contains("read-only");
	}

	@Test
	void creatingAProvenanceIsRefusedWith405() {
		refusedAsReadOnly(Http.post(base + "/Provenance", Http.json(forgedProvenance())), "Provenance");
		Bundle after = Http.parse(Http.get(base + "/Provenance?target=ServiceRequest/" + referral.referralId()), Bundle.class);
		assertThat(after.getEntry()).as("nothing stored").hasSize(1);
	}

	@Test
	void creatingAnAuditEventIsRefusedWith405() {
		refusedAsReadOnly(Http.post(base + "/AuditEvent", Http.json(forgedAuditEvent())), "AuditEvent");
	}

	@Test
	void updatingTheIntakeProvenanceIsRefusedAndItStaysAsItWas() {
		String id = intakeProvenance.getIdElement().getIdPart();
		Provenance changed = intakeProvenance.copy();
		changed.getAgentFirstRep().setWho(new Reference().setDisplay("someone else"));
		refusedAsReadOnly(Http.put(base + "/Provenance/" + id, Http.json(changed)), "Provenance");
		Provenance now = Http.parse(Http.get(base + "/Provenance/" + id), Provenance.class);
		assertThat(now.getMeta().getVersionId()).isEqualTo(intakeProvenance.getMeta().getVersionId());
	}

	@Test
	void updatingAnAuditEventByIdIsRefused() {
		refusedAsReadOnly(Http.put(base + "/AuditEvent/forged", Http.json(forgedAuditEvent().setId("forged"))), "AuditEvent");
		assertThat(Http.get(base + "/AuditEvent/forged").statusCode()).isEqualTo(404);
	}

	@Test
	void patchingTheIntakeProvenanceIsRefused() {
		String id = intakeProvenance.getIdElement().getIdPart();
		String patch = "[{\"op\":\"replace\",\"path\":\"/recorded\",\"value\":\"2020-01-01T00:00:00Z\"}]";
		refusedAsReadOnly(Http.patch(base + "/Provenance/" + id, patch, "application/json-patch+json"), "Provenance");
	}

	@Test
	void aTransactionWritingAProvenanceIsRefusedAndStoresNothing() {
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		tx.addEntry().setFullUrl("urn:uuid:1b0e8f8e-3a52-4a47-9b8e-2f6b7d0c0a11").setResource(forgedProvenance())
				.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Provenance");
		refusedAsReadOnly(Http.post(base, Http.json(tx)), "Provenance");
		Bundle after = Http.parse(Http.get(base + "/Provenance?target=ServiceRequest/" + referral.referralId()), Bundle.class);
		assertThat(after.getEntry()).hasSize(1);
	}

	@Test
	void theGatewaysOwnProvenanceIsStillReadableWithHistory() {
		String id = intakeProvenance.getIdElement().getIdPart();
		assertThat(Http.get(base + "/Provenance/" + id).statusCode()).isEqualTo(200);
		Bundle history = Http.parse(Http.get(base + "/Provenance/" + id + "/_history"), Bundle.class);
		assertThat(history.getEntry()).hasSize(1);
		assertThat(Http.get(base + "/AuditEvent?_count=1").statusCode()).isEqualTo(200);
	}
}
