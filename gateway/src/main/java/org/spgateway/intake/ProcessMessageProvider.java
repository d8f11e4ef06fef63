package org.spgateway.intake;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.spgateway.server.SystemProvider;

/**
 * {@code POST [base]/$process-message}: BaRS referral messages. Thin: {@link BarsMessages} decides;
 * this writes its answer (a message Bundle, or the OperationOutcome of a refusal, with its HTTP status) in the format asked for.
 */
public class ProcessMessageProvider implements SystemProvider {

	private final FhirContext fhirContext;
	private final BarsMessages messages;

	public ProcessMessageProvider(FhirContext fhirContext, BarsMessages messages) {
		this.fhirContext = fhirContext;
		this.messages = messages;
	}

	/**
	 * Takes a BaRS message Bundle (MessageHeader event servicerequest-request; reason new, update or
	 * delete) and answers synchronously with a servicerequest-response message (response.code ok), or refuses
	 * it with the HTTP status and an OperationOutcome using the BaRS error codes.
	 */
	@Operation(name = "$process-message", manualRequest = true, manualResponse = true, idempotent = false)
	public void processMessage(RequestDetails request, HttpServletResponse response) throws IOException {
		EncodingEnum encoding = RestfulServerUtils.determineRequestEncodingNoDefault(request);
		BarsMessages.Answer answer = messages.process(request, request.loadRequestContents(), encoding == null ? EncodingEnum.JSON : encoding);
		String format = request.getParameters().containsKey(Constants.PARAM_FORMAT) ? request.getParameters().get(Constants.PARAM_FORMAT)[0] : null;
		String accept = request.getHeader(Constants.HEADER_ACCEPT);
		boolean xml = (format != null && format.contains("xml")) || (format == null && accept != null && accept.contains("xml") && !accept.contains("json"));
		String body = xml ? fhirContext.newXmlParser().encodeResourceToString(answer.body())
				: fhirContext.newJsonParser().encodeResourceToString(answer.body());
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		response.setStatus(answer.status());
		answer.headers().forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
		response.setContentType((xml ? Constants.CT_FHIR_XML_NEW : Constants.CT_FHIR_JSON_NEW) + ";charset=UTF-8");
		response.setContentLength(bytes.length);
		response.getOutputStream().write(bytes);
	}
}
