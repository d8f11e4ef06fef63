package org.spgateway.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.StringJoiner;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.fhir.Outcomes;
import org.spgateway.security.RequestGate;
import org.spgateway.server.ServerInterceptor;

/**
 * Tells a request's {@link RequestAudit} what HAPI learns: the interaction, the resource the URL names,
 * the caller (attached by {@link RequestGate}, which runs first), the patient a read returned or a search
 * names, and why a request was refused (issue codes and FHIRPath expressions only: diagnostics can quote
 * the payload).
 */
@Interceptor
public class AuditInterceptor implements ServerInterceptor {

	private static final Set<String> PATIENT_PARAMETERS = Set.of("patient", "subject", "for", "beneficiary");

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
	public void handling(RequestDetails request, RestOperationTypeEnum operation) {
		RequestAudit audit = auditOf(request);
		if (audit == null) {
			return;
		}
		audit.interaction = interaction(operation);
		if (operation == RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE || operation == RestOperationTypeEnum.EXTENDED_OPERATION_TYPE
				|| operation == RestOperationTypeEnum.EXTENDED_OPERATION_SERVER || operation == RestOperationTypeEnum.VALIDATE) {
			audit.operation = operation == RestOperationTypeEnum.VALIDATE ? "$validate" : request.getOperation();
		}
		audit.resourceType = request.getResourceName();
		if (request.getId() != null && request.getId().hasIdPart()) {
			audit.resourceId = request.getId().getIdPart();
			audit.versionId = request.getId().hasVersionIdPart() ? request.getId().getVersionIdPart() : null;
		}
		audit.caller = RequestGate.callerOf(request);
		if (operation == RestOperationTypeEnum.SEARCH_TYPE && request.getParameters() != null) {
			for (String name : request.getParameters().keySet()) {
				String base = name.split("[:.]")[0];
				if (PATIENT_PARAMETERS.contains(base) || "Patient".equals(request.getResourceName()) && "_id".equals(name)) {
					for (String value : request.getParameters().get(name)) {
						for (String one : value.split(",")) {
							audit.patient(patientReference(base, one, request.getResourceName()));
						}
					}
				}
			}
		}
	}

	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public boolean responding(RequestDetails request, IBaseResource response) {
		RequestAudit audit = auditOf(request);
		if (audit != null && response instanceof Resource resource && !(resource instanceof OperationOutcome)
				&& ("read".equals(audit.interaction) || "vread".equals(audit.interaction))) {
			audit.patient(PatientOf.resource(resource));
			if (audit.versionId == null && resource.getMeta().hasVersionId()) {
				audit.versionId = resource.getMeta().getVersionId();
			}
		}
		return true;
	}

	@Hook(Pointcut.SERVER_HANDLE_EXCEPTION)
	public boolean failed(RequestDetails request, BaseServerResponseException exception) {
		RequestAudit audit = auditOf(request);
		if (audit != null && audit.outcomeDescription == null) {
			audit.outcomeDescription = describe(Outcomes.outcomeOf(exception));
		}
		return true;
	}

	/** "invalid at Patient.birthDate; processing": what an auditor needs, without a value from the request. */
	static String describe(OperationOutcome outcome) {
		Set<String> parts = new LinkedHashSet<>();
		for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
			if (issue.getSeverity() != OperationOutcome.IssueSeverity.ERROR && issue.getSeverity() != OperationOutcome.IssueSeverity.FATAL) {
				continue;
			}
			String code = issue.getCode() == null ? "error" : issue.getCode().toCode();
			parts.add(issue.hasExpression() ? code + " at " + issue.getExpression().get(0).getValue() : code);
			if (parts.size() == 5) {
				break;
			}
		}
		StringJoiner joined = new StringJoiner("; ");
		parts.forEach(joined::add);
		return joined.length() == 0 ? null : joined.toString();
	}

	private static String patientReference(String parameter, String value, String type) {
		String v = value.trim();
		if (v.startsWith("Patient/")) {
			return v.contains("/_history/") ? v.substring(0, v.indexOf("/_history/")) : v;
		}
		boolean bareId = v.matches("[A-Za-z0-9\\-.]{1,64}");
		if (bareId && ("patient".equals(parameter) || "Patient".equals(type) && "_id".equals(parameter))) {
			return "Patient/" + v;
		}
		return null;
	}

	private static String interaction(RestOperationTypeEnum operation) {
		if (operation == null) {
			return null;
		}
		return switch (operation) {
			case EXTENDED_OPERATION_INSTANCE, EXTENDED_OPERATION_TYPE, EXTENDED_OPERATION_SERVER, VALIDATE -> "operation";
			case METADATA -> "capabilities";
			case GET_PAGE -> "search-type";
			default -> operation.getCode();
		};
	}

	private static RequestAudit auditOf(RequestDetails request) {
		return request instanceof ServletRequestDetails servlet ? RequestAudit.of(servlet.getServletRequest()) : null;
	}
}
