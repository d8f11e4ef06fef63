package org.spgateway.mapping;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import org.spgateway.feedback.FeedbackOperations;
import org.spgateway.fhir.Outcomes;
import org.spgateway.outbox.Outbox;
import org.spgateway.security.Caller;
import org.spgateway.security.HeaderSecretRecords;
import org.spgateway.security.OrganisationId;
import org.spgateway.security.RequestGate;
import org.spgateway.security.Role;
import org.spgateway.server.SystemProvider;
import org.spgateway.validation.ValidationIssue;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Operations on a partner's delivery (its outbox channel {@code Partner/[id]}, which carries its feedback and notifications):
 * {@code $redrive?partner=[id]} delivers what the channel kept after delivery gave up, and {@code $partner-headers?partner=[id]}
 * sets the values of its secret headers (an administrator's job; values are write-only).
 */
public class PartnerOperations implements SystemProvider {

	private final Partners partners;
	private final PartnerHeaders headers;
	private final FeedbackOperations feedback;
	private final Outbox outbox;
	private final TransactionTemplate transactions;
	private final FhirContext fhirContext;

	PartnerOperations(Partners partners, PartnerHeaders headers, FeedbackOperations feedback, Outbox outbox, TransactionTemplate transactions,
			FhirContext fhirContext) {
		this.partners = partners;
		this.headers = headers;
		this.feedback = feedback;
		this.outbox = outbox;
		this.transactions = transactions;
		this.fhirContext = fhirContext;
	}

	@Description(shortDefinition = "Deliver what a partner's channel kept after delivery gave up",
			value = "Query: partner, the partner's id (its folder in mappings/). When delivery to a partner's endpoint gives up, its channel"
					+ " Partner/[id] keeps every later message (feedback and notifications). Once the partner's system works again,"
					+ " $redrive delivers them all in order with a fresh give-up clock; its feedback Communications go back to in-progress."
					+ " An administrator, or a client acting for one of the partner's organisations. Returns how many (count).")
	@Operation(name = "$redrive", idempotent = false, manualRequest = true)
	public Parameters redrive(RequestDetails request) {
		PartnerDefinition found = partner(request, body(request));
		Caller caller = RequestGate.callerOf(request);
		boolean allowed = caller != null && switch (caller.role()) {
			case ADMINISTRATOR, TESTER -> true;
			case REFERRER, PROVIDER -> actsFor(caller, found);
			case COMMUNITY, COMMISSIONER -> false;
		};
		if (!allowed) {
			throw forbidden("Only an administrator, or a client acting for one of " + found.name() + "'s organisations, may re-drive its"
					+ " deliveries");
		}
		Parameters result = new Parameters();
		result.addParameter().setName("count").setValue(new IntegerType(feedback.redriveChannel(found.outboxChannel())));
		return result;
	}

	@Description(shortDefinition = "Set the values of a partner's secret delivery headers (write-only); show which are set",
			value = "Query: partner. Body (optional): a Parameters with a 'header' part per value, 'Name: value', Name one of the"
					+ " descriptor's delivery.secretHeaders ('Name: ***' keeps the stored value). Values are stored encrypted and never shown;"
					+ " undelivered messages on the partner's channel take the new values. Answers each secret header as 'Name: ***' when"
					+ " set, and 'missing' for those that are not. Administrators only.")
	@Operation(name = "$partner-headers", idempotent = false, manualRequest = true)
	public Parameters partnerHeaders(RequestDetails request) {
		Parameters body = body(request);
		PartnerDefinition found = partner(request, body);
		Caller caller = RequestGate.callerOf(request);
		if (caller == null || (caller.role() != Role.ADMINISTRATOR && caller.role() != Role.TESTER)) {
			throw forbidden("Only an administrator sets a partner's secret headers");
		}
		List<String> secret = found.delivery().secretHeadersOrNone();
		Map<String, String> values = new LinkedHashMap<>();
		List<ValidationIssue> problems = new ArrayList<>();
		List<String> list = body == null ? List.of() : body.getParameter().stream().filter(p -> "header".equals(p.getName()))
				.map(p -> p.hasValue() ? p.getValue().primitiveValue() : null).toList();
		for (int i = 0; i < list.size(); i++) {
			String h = list.get(i);
			String at = "Parameters.parameter.where(name = 'header')[" + i + "]";
			int colon = h == null ? -1 : h.indexOf(':');
			String name = colon <= 0 ? null : h.substring(0, colon).trim();
			if (name == null || secret.stream().noneMatch(name::equalsIgnoreCase)) {
				problems.add(ValidationIssue.error(IssueType.VALUE, (name == null ? "A header is 'Name: value'" : "'" + name
						+ "' is not a secret header of " + found.name()) + "; its secret headers (delivery.secretHeaders in "
						+ "mappings/" + found.id() + "/partner.yaml) are " + (secret.isEmpty() ? "none" : String.join(", ", secret)), at));
				continue;
			}
			values.put(name, h.substring(colon + 1).trim());
		}
		if (!problems.isEmpty()) {
			throw Outcomes.unprocessable(problems);
		}
		if (!values.isEmpty()) {
			transactions.executeWithoutResult(tx -> {
				List<ValidationIssue> refused = headers.update(found, values, "Parameters.parameter.where(name = 'header')");
				if (!refused.isEmpty()) {
					throw Outcomes.unprocessable(refused);
				}
				if (found.delivery().pushes()) {
					// Messages already waiting go out with the new values (a re-drive after a rotated key).
					outbox.retarget(found.outboxChannel(), found.delivery().endpoint(), found.delivery().endpoint(), headers.forDelivery(found));
				}
			});
		}
		Parameters result = new Parameters();
		result.addParameter().setName("partner").setValue(new StringType(found.id()));
		List<String> set = headers.set(found);
		for (String name : secret) {
			result.addParameter().setName(set.contains(name) ? "header" : "missing")
					.setValue(new StringType(set.contains(name) ? name + ": " + HeaderSecretRecords.MASK : name));
		}
		return result;
	}

	/** The body as a Parameters, or null when there is none; anything else is the caller's mistake. */
	private Parameters body(RequestDetails request) {
		byte[] bytes = request.loadRequestContents();
		if (bytes == null || bytes.length == 0) {
			return null;
		}
		try {
			return fhirContext.newJsonParser().parseResource(Parameters.class, new String(bytes, StandardCharsets.UTF_8));
		} catch (DataFormatException e) {
			throw Outcomes.invalid("The body must be a FHIR Parameters resource in JSON, or empty", "Parameters");
		}
	}

	/** The partner named by the query's or the body's 'partner'. */
	private PartnerDefinition partner(RequestDetails request, Parameters body) {
		String[] query = request.getParameters().get("partner");
		String value = query != null && query.length > 0 ? query[0] : null;
		if (value == null && body != null && body.getParameter("partner") != null && body.getParameter("partner").hasValue()) {
			value = body.getParameter("partner").getValue().primitiveValue();
		}
		if (value == null) {
			throw Outcomes.invalid("Name the partner: the 'partner' parameter is its id (its folder in mappings/)", "partner");
		}
		String id = value;
		return partners.byId(id).orElseThrow(() -> Outcomes.invalid("There is no partner '" + id + "'; the partners are "
				+ String.join(", ", partners.all().stream().map(PartnerDefinition::id).toList()), "partner"));
	}

	private static ForbiddenOperationException forbidden(String message) {
		return new ForbiddenOperationException(message, Outcomes.single(IssueSeverity.ERROR, IssueType.FORBIDDEN, message, "partner"));
	}

	private static boolean actsFor(Caller caller, PartnerDefinition partner) {
		return partner.organizations().stream().anyMatch(o -> caller.actsFor(new OrganisationId(o.system(), o.value())));
	}
}
