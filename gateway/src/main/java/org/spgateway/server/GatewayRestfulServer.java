package org.spgateway.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import java.util.Set;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.spgateway.fhir.Outcomes;

/**
 * HAPI's RestfulServer, answering an interaction the gateway does not offer on a type it serves (delete,
 * a write to a read-only conformance type, type-level history ...) with 405 Method Not Allowed, as FHIR
 * expects, instead of HAPI's generic 400. Unknown types and operations keep HAPI's answers.
 */
class GatewayRestfulServer extends RestfulServer {

	private static final Set<RequestTypeEnum> WRITES = Set.of(RequestTypeEnum.POST, RequestTypeEnum.PUT, RequestTypeEnum.PATCH,
			RequestTypeEnum.DELETE);

	GatewayRestfulServer(FhirContext fhirContext) {
		super(fhirContext);
	}

	@Override
	protected void throwUnknownFhirOperationException(RequestDetails request, String requestPath, RequestTypeEnum requestType) {
		String type = request.getResourceName();
		boolean operation = request.getOperation() != null && request.getOperation().startsWith("$");
		if (type == null || operation || !ServedResourceTypes.all().contains(type)) {
			super.throwUnknownFhirOperationException(request, requestPath, requestType);
			return;
		}
		boolean readOnly = ServedResourceTypes.readOnly().contains(type);
		String diagnostics;
		if (readOnly && WRITES.contains(requestType)) {
			diagnostics = type + " resources are loaded from the gateway's profiles/ and mappings/ folders and are read-only through the API";
		} else if (requestType == RequestTypeEnum.DELETE) {
			diagnostics = "DELETE is not supported: the gateway keeps every record; mark a resource entered-in-error instead";
		} else {
			diagnostics = "This server does not support " + requestType + " " + requestPath + "; GET [base]/metadata lists what each"
					+ " resource type supports";
		}
		MethodNotAllowedException refused = new MethodNotAllowedException(diagnostics,
				Outcomes.single(IssueSeverity.ERROR, IssueType.NOTSUPPORTED, diagnostics, null));
		if (request.getOperation() == null) {
			boolean instance = request.getId() != null && request.getId().hasIdPart();
			if (readOnly) {
				refused.setAllowedMethods(RequestTypeEnum.GET);
			} else if (instance) {
				refused.setAllowedMethods(RequestTypeEnum.GET, RequestTypeEnum.PUT, RequestTypeEnum.PATCH);
			} else {
				refused.setAllowedMethods(RequestTypeEnum.GET, RequestTypeEnum.POST, RequestTypeEnum.PUT);
			}
		}
		throw refused;
	}
}
