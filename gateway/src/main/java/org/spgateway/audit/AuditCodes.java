package org.spgateway.audit;

import org.hl7.fhir.r4.model.Coding;

/** The code systems and codes of the gateway's AuditEvents: those of IHE BALP and DICOM, and the gateway's own where they have none. */
final class AuditCodes {

	static final String DICOM = "http://dicom.nema.org/resources/ontology/DCM";
	static final String EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type";
	static final String RESTFUL_INTERACTION = "http://hl7.org/fhir/restful-interaction";
	static final String LIFECYCLE = "http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle";
	static final String ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
	static final String OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role";
	static final String SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type";
	static final String BALP_ENTITY_TYPE = "https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType";
	static final String ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

	static final String SP_OPERATION = "https://spgateway.org/fhir/CodeSystem/sp-audit-operation";
	static final String SP_DELIVERY = "https://spgateway.org/fhir/CodeSystem/sp-audit-delivery";
	static final String SP_AGENT_TYPE = "https://spgateway.org/fhir/CodeSystem/sp-audit-agent-type";
	static final String SP_ENTITY_TYPE = "https://spgateway.org/fhir/CodeSystem/sp-audit-entity-type";
	static final String SP_CLIENT_ROLE = "https://spgateway.org/fhir/CodeSystem/sp-client-role";

	/** Identifier systems: who.identifier of the client and the gateway, what.identifier of request and correlation ids. */
	static final String CLIENT_ID = "https://spgateway.org/fhir/Id/client";
	static final String GATEWAY_ID = "https://spgateway.org/fhir/Id/gateway";
	static final String REQUEST_ID = "https://spgateway.org/fhir/Id/request-id";
	static final String CORRELATION_ID = "https://spgateway.org/fhir/Id/correlation-id";

	static final Coding REST = new Coding(EVENT_TYPE, "rest", "Restful Operation");
	static final Coding EXPORT = new Coding(DICOM, "110106", "Export");
	static final Coding TRANSMIT = new Coding(LIFECYCLE, "transmit", "Transmit Record Lifecycle Event");
	static final Coding SOURCE_ROLE = new Coding(DICOM, "110153", "Source Role ID");
	static final Coding DESTINATION_ROLE = new Coding(DICOM, "110152", "Destination Role ID");
	static final Coding CLIENT_ORGANISATION = new Coding(SP_AGENT_TYPE, "client-organisation", "Organisation the client acts for");
	static final Coding APPLICATION_SERVER = new Coding(SOURCE_TYPE, "4", "Application Server");
	static final Coding PERSON = new Coding(ENTITY_TYPE, "1", "Person");
	static final Coding SYSTEM_OBJECT = new Coding(ENTITY_TYPE, "2", "System Object");
	static final Coding PATIENT_ROLE = new Coding(OBJECT_ROLE, "1", "Patient");
	static final Coding DOMAIN_RESOURCE = new Coding(OBJECT_ROLE, "4", "Domain Resource");
	static final Coding QUERY_ROLE = new Coding(OBJECT_ROLE, "24", "Query");
	static final Coding X_REQUEST_ID = new Coding(BALP_ENTITY_TYPE, "XrequestId", "X-Request-Id");
	static final Coding X_CORRELATION_ID = new Coding(SP_ENTITY_TYPE, "XcorrelationId", "X-Correlation-Id");
	static final Coding BREAK_GLASS = new Coding(ACT_REASON, "BTG", "break the glass");

	private AuditCodes() {}

	static Coding copy(Coding coding) {
		return coding.copy();
	}
}
