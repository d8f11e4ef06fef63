package org.spgateway.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.Constants;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.spgateway.fhir.BarsErrorCodes;

/** Writes an OperationOutcome from outside HAPI (servlet filters), in the format the caller asked for. */
public final class ErrorResponses {

	private ErrorResponses() {}

	public static void write(FhirContext fhirContext, HttpServletRequest request, HttpServletResponse response, int status, OperationOutcome outcome)
			throws IOException {
		if (BarsErrorCodes.isBars(request.getRequestURI())) {
			// A BaRS sender reads the error code in details, whichever layer refused its message.
			BarsErrorCodes.apply(outcome, status);
		}
		String format = request.getParameter(Constants.PARAM_FORMAT);
		String accept = request.getHeader(Constants.HEADER_ACCEPT);
		boolean xml = (format != null && format.contains("xml")) || (format == null && accept != null && accept.contains("xml") && !accept.contains("json"));
		String body = xml ? fhirContext.newXmlParser().encodeResourceToString(outcome) : fhirContext.newJsonParser().encodeResourceToString(outcome);
		response.setStatus(status);
		response.setContentType((xml ? Constants.CT_FHIR_XML_NEW : Constants.CT_FHIR_JSON_NEW) + ";charset=UTF-8");
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		response.setContentLength(bytes.length);
		response.getOutputStream().write(bytes);
	}
}
