package org.spgateway.server;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.spgateway.fhir.Outcomes;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Spring's error page for requests outside the FHIR servlet (a path that climbs out of /fhir with
 * {@code ..}, an unknown URL): an OperationOutcome instead of Spring's {"timestamp", ...} JSON, so that
 * every answer the gateway gives is FHIR. Replaces Spring Boot's BasicErrorController.
 */
@RestController
public class OperationOutcomeErrorController implements ErrorController {

	private final FhirContext fhirContext;

	public OperationOutcomeErrorController(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	@RequestMapping("/error")
	public void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		int status = code instanceof Integer i ? i : 500;
		String diagnostics = switch (status) {
			case 404 -> "Nothing is served at this address; the FHIR API is under /fhir (GET /fhir/metadata lists what it offers)";
			case 405 -> "This method is not supported at this address; the FHIR API is under /fhir";
			default -> status >= 500 ? "The gateway could not complete this request" : "The request could not be handled (HTTP " + status + ")";
		};
		ErrorResponses.write(fhirContext, request, response, status, Outcomes.single(status >= 500 ? IssueSeverity.FATAL : IssueSeverity.ERROR,
				status == 404 ? IssueType.NOTFOUND : status >= 500 ? IssueType.EXCEPTION : IssueType.INVALID, diagnostics, null));
	}
}
