package org.spgateway.authentication;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.spgateway.audit.RequestAudit;
import org.spgateway.server.ErrorResponses;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * The answer to a request refused before the FHIR server sees it: 401 with an OperationOutcome and a
 * {@code WWW-Authenticate: Bearer} challenge (RFC 6750) for a missing or refused token, 403 for a
 * valid token that may not reach the page. The words are the gateway's, never the library's.
 */
public class BearerTokenRefusal implements AuthenticationEntryPoint, AccessDeniedHandler {

	private final FhirContext fhirContext;

	public BearerTokenRefusal(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	@Override
	public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure) throws IOException {
		if (!(failure instanceof OAuth2AuthenticationException)) {
			RequestAudit.refused(request, "no access token");
			response.setHeader("WWW-Authenticate", AuthenticationRefusals.challenge());
			ErrorResponses.write(fhirContext, request, response, 401,
					AuthenticationRefusals.outcome(IssueType.LOGIN, AuthenticationRefusals.NO_TOKEN));
			return;
		}
		String words = describe(failure);
		RequestAudit.refused(request, "access token refused");
		response.setHeader("WWW-Authenticate", AuthenticationRefusals.challenge("invalid_token", words));
		ErrorResponses.write(fhirContext, request, response, 401,
				AuthenticationRefusals.outcome(IssueType.LOGIN, words + ". Get a new access token and send it as Authorization: Bearer <token>."));
	}

	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied) throws IOException {
		RequestAudit.refused(request, "operators only");
		ErrorResponses.write(fhirContext, request, response, 403,
				AuthenticationRefusals.outcome(IssueType.FORBIDDEN, AuthenticationRefusals.operatorsOnly()));
	}

	/** Plain words for why a token was refused: the checks' own words, or the kind of decoding failure. */
	static String describe(Throwable failure) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (t instanceof JwtValidationException invalid && !invalid.getErrors().isEmpty()) {
				return invalid.getErrors().iterator().next().getDescription();
			}
		}
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (t instanceof BadJwtException bad) {
				String message = bad.getMessage() == null ? "" : bad.getMessage().toLowerCase();
				if (message.contains("signature") || message.contains("key")) {
					return "The access token's signature does not verify with the keys of its issuer";
				}
				return "The access token is not a well-formed signed JWT";
			}
		}
		if (failure.getMessage() != null && failure.getMessage().startsWith("The access token")) {
			return failure.getMessage();
		}
		return "The access token was refused";
	}
}
