package org.spgateway.workflow;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.spgateway.security.RequestGate;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.fhir.Outcomes;
import org.spgateway.server.SystemProvider;

/** {@code Task/$overdue}: a provider's (or every provider's) work past its time; thin: {@link OverdueWork} decides. */
public class WorkflowProvider implements SystemProvider {

	private final OverdueWork overdue;
	private final WorkflowProperties properties;
	private final TimeZone zone;

	WorkflowProvider(OverdueWork overdue, WorkflowProperties properties, TimeZone zone) {
		this.overdue = overdue;
		this.properties = properties;
		this.zone = zone;
	}

	@Description(shortDefinition = "Overdue referral work: unanswered, uncontacted, onward referrals without outcome, reviews due",
			value = "Referral Tasks still requested past the service's response deadline (response-overdue), accepted with no contact"
					+ " step after gateway.workflow.contact-within (contact-overdue), onward referrals with no outcome after"
					+ " gateway.workflow.onward-outcome-within (onward-outcome-overdue), and outcome reviews due or overdue (review-due),"
					+ " oldest first, each saying since when. For one organisation with owner (its ODS code); onward referrals count"
					+ " for the provider that made them too. See docs/referral-lifecycle.md.")
	@Operation(name = "$overdue", typeName = "Task", idempotent = true)
	public Parameters overdue(
			@Description(shortDefinition = "The organisation whose work to list: ODS code, or system|code")
			@OperationParam(name = "owner", min = 0, max = 1) StringType owner,
			@Description(shortDefinition = "Most rows to return (default 50)")
			@OperationParam(name = "_count", min = 0, max = 1) IntegerType count,
			@Description(shortDefinition = "Rows to skip, for paging")
			@OperationParam(name = "_offset", min = 0, max = 1) IntegerType offset,
			RequestDetails request) {
		String who = ownerKey(owner);
		int n = count == null || count.getValue() == null ? properties.getOverduePageSize() : count.getValue();
		int skip = offset == null || offset.getValue() == null ? 0 : offset.getValue();
		if (n < 0 || skip < 0) {
			throw Outcomes.invalid("_count and _offset must be zero or more", null);
		}
		n = Math.min(n, properties.getMaxOverduePageSize());
		Instant now = Instant.now();
		Parameters result = new Parameters();
		result.addParameter().setName("asOf").setValue(dateTime(now));
		if (who != null) {
			result.addParameter().setName("owner").setValue(new StringType(who));
		}
		result.addParameter().setName("total").setValue(new IntegerType(overdue.count(now, who, RequestGate.scopeOf(request))));
		List<OverdueWork.Item> items = overdue.find(now, who, skip, n, RequestGate.scopeOf(request));
		for (OverdueWork.Item item : items) {
			Parameters.ParametersParameterComponent row = result.addParameter().setName("overdue");
			row.addPart().setName("kind").setValue(new CodeType(item.kind()));
			row.addPart().setName("task").setValue(new Reference("Task/" + item.taskId()));
			row.addPart().setName("referral").setValue(new Reference("ServiceRequest/" + item.referralId()));
			if (item.parentTaskId() != null) {
				row.addPart().setName("partOf").setValue(new Reference("Task/" + item.parentTaskId()));
			}
			if (item.patient() != null) {
				row.addPart().setName("patient").setValue(new Reference(item.patient()));
			}
			if (item.owner() != null) {
				row.addPart().setName("owner").setValue(new StringType(item.owner()));
			}
			row.addPart().setName("status").setValue(new CodeType(item.status()));
			row.addPart().setName("since").setValue(dateTime(item.since()));
			row.addPart().setName("description").setValue(new StringType(OverdueWording.describe(item, properties)));
		}
		return result;
	}

	private DateTimeType dateTime(Instant instant) {
		return new DateTimeType(Date.from(instant), TemporalPrecisionEnum.SECOND, zone);
	}

	/** "X99901" or "https://fhir.nhs.uk/Id/ods-organization-code|X99901" to X99901; another system|value is kept whole. */
	private static String ownerKey(StringType owner) {
		if (owner == null || !owner.hasValue() || owner.getValue().isBlank()) {
			return null;
		}
		String value = owner.getValue().trim();
		int bar = value.indexOf('|');
		if (bar < 0) {
			return value;
		}
		String system = value.substring(0, bar);
		if (NhsIdentifiers.is(system, NhsIdentifiers.ODS_ORGANIZATION)) {
			return value.substring(bar + 1);
		}
		return value;
	}
}
