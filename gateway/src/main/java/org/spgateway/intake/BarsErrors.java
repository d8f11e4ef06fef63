package org.spgateway.intake;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.StringType;
import org.spgateway.fhir.BarsErrorCodes;
import org.spgateway.fhir.Outcomes;

/**
 * A refused BaRS message's answer, as BaRS defines it: the HTTP status and an OperationOutcome (not a
 * message Bundle) whose error issues carry a code from https://fhir.nhs.uk/Codesystem/http-error-codes
 * in details.coding, the gateway's plain-words diagnostics, and the FHIRPath expression of the offending
 * element in the message as sent.
 */
final class BarsErrors {

	static final String ERROR_CODES = "https://fhir.nhs.uk/Codesystem/http-error-codes";
	private static final Pattern ENTRY = Pattern.compile("Bundle\\.entry\\[(\\d+)\\]");
	/** The transaction's own prefix on an entry's failure ("Bundle.entry[2] (POST Task): "): the expression says where. */
	private static final Pattern ENTRY_PREFIX = Pattern.compile("^Bundle\\.entry\\[\\d+\\] \\((?:POST|PUT|PATCH|GET) [^)]*\\): ");
	private static final Pattern HAPI_CODE = Pattern.compile("HAPI-\\d+: ");

	private BarsErrors() {}

	/** The BaRS error code for an HTTP status. */
	static String code(int status) {
		return BarsErrorCodes.code(status);
	}

	/**
	 * The OperationOutcome for a refusal. {@code toMessage} maps the entry indexes of the transaction built
	 * from the message back to the message's own, so that expressions point into what the sender sent.
	 */
	static OperationOutcome outcome(BaseServerResponseException e, Map<Integer, Integer> toMessage) {
		// As the guide's examples: the code alone (its displays are the code system's to give).
		OperationOutcome outcome = Outcomes.outcomeOf(e).copy();
		int status = e.getStatusCode();
		String code = code(status);
		for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
			if (issue.hasDiagnostics()) {
				String text = HAPI_CODE.matcher(issue.getDiagnostics()).replaceAll("");
				issue.setDiagnostics(toMessageIndexes(ENTRY_PREFIX.matcher(text).replaceFirst(""), toMessage));
			}
			List<StringType> expressions = new ArrayList<>();
			for (StringType x : issue.getExpression()) {
				expressions.add(new StringType(toMessageIndexes(x.getValue(), toMessage)));
			}
			issue.setExpression(expressions);
			if (issue.getSeverity() == IssueSeverity.ERROR || issue.getSeverity() == IssueSeverity.FATAL) {
				CodeableConcept details = new CodeableConcept().addCoding(new Coding(ERROR_CODES, code, null));
				if (issue.getDetails().hasText()) {
					details.setText(issue.getDetails().getText());
				}
				issue.setDetails(details);
			}
		}
		if (status >= 500) {
			// Never a stack trace (already logged): the issue says only that it may work later.
			outcome.getIssueFirstRep().setCode(IssueType.EXCEPTION);
		}
		return outcome;
	}

	/**
	 * A refusal from checks on the referral itself ("ServiceRequest.subject"), pointed at its entry in the
	 * message ("Bundle.entry[1].resource.subject").
	 */
	static BaseServerResponseException atEntry(BaseServerResponseException e, int entry) {
		OperationOutcome outcome = Outcomes.outcomeOf(e);
		for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
			for (StringType x : issue.getExpression()) {
				if (x.getValue() != null && x.getValue().matches("^ServiceRequest(\\..*)?$")) {
					x.setValue("Bundle.entry[" + entry + "].resource" + x.getValue().substring("ServiceRequest".length()));
				}
			}
		}
		return e;
	}

	private static String toMessageIndexes(String text, Map<Integer, Integer> toMessage) {
		if (text == null || toMessage.isEmpty()) {
			return text;
		}
		Matcher m = ENTRY.matcher(text);
		StringBuilder out = new StringBuilder();
		while (m.find()) {
			Integer mapped = toMessage.get(Integer.parseInt(m.group(1)));
			m.appendReplacement(out, "Bundle.entry[" + (mapped == null ? m.group(1) : mapped) + "]");
		}
		m.appendTail(out);
		return out.toString();
	}
}
