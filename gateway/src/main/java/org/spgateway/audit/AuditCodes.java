package org.spgateway.audit;

import org.spgateway.audit.AuditEventJson.Code;

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

	static final Code REST = new Code(EVENT_TYPE, "rest", "Restful Operation");
	static final Code EXPORT = new Code(DICOM, "110106", "Export");
	static final Code TRANSMIT = new Code(LIFECYCLE, "transmit", "Transmit Record Lifecycle Event");
	static final Code SOURCE_ROLE = new Code(DICOM, "110153", "Source Role ID");
	static final Code DESTINATION_ROLE = new Code(DICOM, "110152", "Destination Role ID");
	static final Code CLIENT_ORGANISATION = new Code(SP_AGENT_TYPE, "client-organisation", "Organisation the client acts for");
	static final Code APPLICATION_SERVER = new Code(SOURCE_TYPE, "4", "Application Server");
	static final Code PERSON = new Code(ENTITY_TYPE, "1", "Person");
	static final Code SYSTEM_OBJECT = new Code(ENTITY_TYPE, "2", "System Object");
	static final Code PATIENT_ROLE = new Code(OBJECT_ROLE, "1", "Patient");
	static final Code DOMAIN_RESOURCE = new Code(OBJECT_ROLE, "4", "Domain Resource");
	static final Code QUERY_ROLE = new Code(OBJECT_ROLE, "24", "Query");
	static final Code X_REQUEST_ID = new Code(BALP_ENTITY_TYPE, "XrequestId", "X-Request-Id");
	static final Code X_CORRELATION_ID = new Code(SP_ENTITY_TYPE, "XcorrelationId", "X-Correlation-Id");
	static final Code BREAK_GLASS = new Code(ACT_REASON, "BTG", "break the glass");

	private AuditCodes() {}
}
