package org.spgateway.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.spgateway.fhir.Outcomes;

/**
 * HAPI's RestfulServer, answering an interaction the gateway does not offer on a type it serves (delete,
 * a write to a read-only conformance type, type-level history ...) with 405 Method Not Allowed, as FHIR
 * expects, instead of HAPI's generic 400. Unknown types and operations keep HAPI's answers. A query string
 * with a malformed escape or %00, an unknown _format or _summary (unless handling=lenient), and a body in an
 * encoding other than FHIR JSON or XML are refused with an OperationOutcome before HAPI acts on them.
 */
class GatewayRestfulServer extends RestfulServer {

	private static final Set<RequestTypeEnum> WRITES = Set.of(RequestTypeEnum.POST, RequestTypeEnum.PUT, RequestTypeEnum.PATCH,
			RequestTypeEnum.DELETE);

	GatewayRestfulServer(FhirContext fhirContext) {
		super(fhirContext);
	}

	/** HAPI decodes the query string itself and fails with a 500 on a malformed escape such as a lone '%'. */
	@Override
	protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
		String problem = malformedEscape(request.getQueryString());
		if (problem == null) {
			problem = nulCharacter(request.getRequestURI(), request.getQueryString());
		}
		if (problem == null) {
			// Always: HAPI would answer an unknown _format it happens to know (ttl) in that format.
			problem = unknownValue(Constants.PARAM_FORMAT, request.getParameterValues(Constants.PARAM_FORMAT), ResponseFormats::known,
					"json, xml or a FHIR JSON or XML media type");
		}
		// As for unknown search parameters: an unknown _summary is an error unless the caller asked for lenient handling.
		boolean lenient = String.valueOf(request.getHeader(Constants.HEADER_PREFER)).replace(" ", "").contains("handling=lenient");
		if (problem == null && !lenient) {
			problem = unknownValue(Constants.PARAM_SUMMARY, request.getParameterValues(Constants.PARAM_SUMMARY), SUMMARIES::contains,
					String.join(", ", SUMMARIES));
		}
		if (problem != null) {
			ErrorResponses.write(getFhirContext(), request, response, 400, Outcomes.single(IssueSeverity.ERROR, IssueType.INVALID, problem, null));
			return;
		}
		String contentType = request.getContentType();
		if (contentType != null && Set.of("POST", "PUT", "PATCH").contains(request.getMethod()) && !ResponseFormats.knownBody(contentType)) {
			// HAPI would parse (and answer in) RDF Turtle or any other encoding it knows; the gateway speaks FHIR JSON and XML.
			ErrorResponses.write(getFhirContext(), request, response, 415, Outcomes.single(IssueSeverity.ERROR, IssueType.NOTSUPPORTED,
					"This gateway reads FHIR JSON (application/fhir+json) or XML (application/fhir+xml), JSON Patch"
							+ " (application/json-patch+json) and form posts for search; not " + contentType.replaceAll(";.*", ""), null));
			return;
		}
		String accept = request.getHeader(Constants.HEADER_ACCEPT);
		if (accept != null && ResponseFormats.asksForRdf(accept)) {
			String rest = ResponseFormats.withoutRdf(accept);
			if (rest.isEmpty()) {
				ErrorResponses.write(getFhirContext(), request, response, 406, Outcomes.single(IssueSeverity.ERROR, IssueType.NOTSUPPORTED,
						"This gateway answers in FHIR JSON (application/fhir+json) or XML (application/fhir+xml), not RDF", null));
				return;
			}
			// HAPI answers in RDF Turtle when Accept names it first; the gateway serves what else the caller accepts.
			super.service(new AcceptOverride(request, rest), response);
			return;
		}
		super.service(request, response);
	}

	private static final List<String> SUMMARIES = List.of("true", "false", "text", "data", "count");

	private static String unknownValue(String parameter, String[] values, Predicate<String> known, String expected) {
		if (values == null) {
			return null;
		}
		for (String value : values) {
			if (!known.test(value.trim())) {
				return parameter + " must be one of " + expected;
			}
		}
		return null;
	}

	static String malformedEscape(String query) {
		if (query == null) {
			return null;
		}
		for (int i = 0; i < query.length(); i++) {
			if (query.charAt(i) == '%' && (i + 2 >= query.length() || Character.digit(query.charAt(i + 1), 16) < 0
					|| Character.digit(query.charAt(i + 2), 16) < 0)) {
				return "The query string is not valid URL encoding at character " + (i + 1)
						+ ": '%' must be followed by two hexadecimal digits (a literal % is written %25)";
			}
		}
		return null;
	}

	/** PostgreSQL cannot hold U+0000 in text, and no FHIR id or search value may contain it. */
	static String nulCharacter(String path, String query) {
		// HAPI decodes a path's id once more after the container has: %2500 reaches the store as NUL too.
		boolean inPath = path != null && (path.contains("%00") || path.contains("%2500"));
		String where = inPath ? "URL path" : query != null && query.contains("%00") ? "query string" : null;
		return where == null ? null
				: "The " + where + " contains %00 (the NUL character), which no FHIR id or search value may contain";
	}

	@Override
	protected void throwUnknownFhirOperationException(RequestDetails request, String requestPath, RequestTypeEnum requestType) {
		String type = request.getResourceName();
		boolean operation = request.getOperation() != null && request.getOperation().startsWith("$");
		if (type == null || operation || !ServedResourceTypes.all().contains(type)) {
			super.throwUnknownFhirOperationException(request, requestPath, requestType);
			return;
		}
		boolean recorded = ServedResourceTypes.RECORDED.contains(type);
		boolean readOnly = recorded || ServedResourceTypes.readOnly().contains(type);
		String diagnostics;
		if (recorded && WRITES.contains(requestType)) {
			diagnostics = type + " resources are the gateway's own record of what happened and are read-only through the API";
		} else if (readOnly && WRITES.contains(requestType)) {
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
