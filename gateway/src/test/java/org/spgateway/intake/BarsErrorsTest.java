package org.spgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import java.util.Map;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.junit.jupiter.api.Test;
import org.spgateway.fhir.Outcomes;

/** BaRS refusals: each HTTP status gets its http-error-codes code, and expressions point into the message as sent. */
class BarsErrorsTest {

	@Test
	void eachStatusHasItsBarsErrorCode() {
		assertThat(Map.of(400, BarsErrors.code(400), 404, BarsErrors.code(404), 406, BarsErrors.code(406), 409, BarsErrors.code(409),
				422, BarsErrors.code(422), 500, BarsErrors.code(500), 503, BarsErrors.code(503))).isEqualTo(Map.of(400, "REC_BAD_REQUEST",
				404, "REC_NOT_FOUND", 406, "REC_NOT_SUPPORTED", 409, "REC_CONFLICT", 422, "REC_UNPROCESSABLE_ENTITY", 500, "REC_SERVER_ERROR",
				503, "REC_SERVER_ERROR"));
	}

	@Test
	void aServerErrorIsRecServerErrorWithAnExceptionIssueAndOnlyTheGatewaysWords() {
		OperationOutcome outcome = BarsErrors.outcome(new InternalErrorException("HAPI-0001: The gateway could not process this message;"
				+ " nothing was stored"), Map.of());

		OperationOutcome.OperationOutcomeIssueComponent issue = outcome.getIssueFirstRep();
		assertThat(issue.getCode()).isEqualTo(IssueType.EXCEPTION);
		assertThat(issue.getDetails().getCodingFirstRep().getSystem()).isEqualTo("https://fhir.nhs.uk/Codesystem/http-error-codes");
		assertThat(issue.getDetails().getCodingFirstRep().getCode()).isEqualTo("REC_SERVER_ERROR");
		assertThat(issue.getDiagnostics()).isEqualTo("The gateway could not process this message; nothing was stored");
	}

	@Test
	void anEntryOfTheTransactionBuiltFromTheMessageIsNamedByItsPlaceInTheMessage() {
		BaseServerResponseException refused = Outcomes.unprocessable("Bundle.entry[2] (POST Condition): the Condition is about someone else",
				"Bundle.entry[2].resource.subject");

		OperationOutcome outcome = BarsErrors.outcome(refused, Map.of(2, 7));

		assertThat(outcome.getIssueFirstRep().getDiagnostics()).isEqualTo("the Condition is about someone else");
		assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Bundle.entry[7].resource.subject");
		assertThat(outcome.getIssueFirstRep().getDetails().getCodingFirstRep().getCode()).isEqualTo("REC_UNPROCESSABLE_ENTITY");
	}

	@Test
	void aReferralRuleIsPointedAtTheReferralsEntry() {
		BaseServerResponseException refused = BarsErrors.atEntry(Outcomes.unprocessable("Too young", "ServiceRequest.subject"), 1);

		assertThat(Outcomes.outcomeOf(refused).getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Bundle.entry[1].resource.subject");
	}

	@Test
	void onlyAnotherMajorVersionIsRefused() {
		assertThatCode(() -> BarsRequests.checkVersion("application/fhir+json; version=1.1.0")).doesNotThrowAnyException();
		assertThatCode(() -> BarsRequests.checkVersion("application/fhir+json")).doesNotThrowAnyException();
		assertThatCode(() -> BarsRequests.checkVersion(null)).doesNotThrowAnyException();
		BaseServerResponseException refused = catchThrowableOfType(() -> BarsRequests.checkVersion("application/fhir+xml;version=2"),
				BaseServerResponseException.class);
		assertThat(refused.getStatusCode()).isEqualTo(406);
		assertThat(BarsErrors.outcome(refused, Map.of()).getIssueFirstRep().getDetails().getCodingFirstRep().getCode()).isEqualTo("REC_NOT_SUPPORTED");
	}
}
