package org.spgateway.intake;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.spgateway.directory.EligibilityRules;
import org.spgateway.directory.ServiceListing;
import org.spgateway.fhir.Codes;

/**
 * The provider's work item for a referral, on the HL7 Gravity closed-loop pattern: a fulfil Task for
 * the referral (focus), the person (for), from the referrer (requester), owned by the organisation that
 * runs the chosen service, due by the service's response deadline.
 */
final class ReferralTasks {

	static final String TASK_CODE_SYSTEM = "http://hl7.org/fhir/CodeSystem/task-code";
	static final String ONWARD_SUPPORT_SYSTEM = "https://spgateway.org/fhir/CodeSystem/sp-onward-support";
	static final String TRIAGE_SYSTEM = "https://spgateway.org/fhir/CodeSystem/sp-referral-triage";
	static final Set<Task.TaskStatus> TERMINAL = Set.of(Task.TaskStatus.COMPLETED, Task.TaskStatus.FAILED, Task.TaskStatus.REJECTED,
			Task.TaskStatus.CANCELLED, Task.TaskStatus.ENTEREDINERROR);

	private ReferralTasks() {}

	static Task newTask(ServiceRequest referral, String referralId, ServiceListing service, Instant now, Instant deadline,
			List<EligibilityRules.Failure> triage, List<Flag> flags, String parentTaskId) {
		Task task = new Task();
		task.setStatus(Task.TaskStatus.REQUESTED);
		task.setIntent(Task.TaskIntent.ORDER);
		task.setCode(new CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(TASK_CODE_SYSTEM, "fulfill", "Fulfill the focal request")));
		task.setDescription("Social prescribing referral to " + service.name());
		task.setFocus(new Reference("ServiceRequest/" + referralId).setDisplay(referral.getCode().hasText() ? referral.getCode().getText()
				: referral.getCode().getCodingFirstRep().getDisplay()));
		task.setFor(referral.getSubject().copy());
		task.setAuthoredOn(Date.from(now));
		task.setLastModified(Date.from(now));
		task.setRequester(referral.getRequester().copy());
		task.setOwner(service.provider().reference());
		task.getRestriction().getPeriod().setEnd(Date.from(deadline));
		if (referral.hasPriority()) {
			task.setPriority(Task.TaskPriority.fromCode(referral.getPriority().toCode()));
		}
		if (parentTaskId != null) {
			task.addPartOf(new Reference("Task/" + parentTaskId));
		}
		// How the link worker supports an onward referral (buddying) travels with it to the onward service's Task.
		for (CodeableConcept detail : referral.getOrderDetail()) {
			for (org.hl7.fhir.r4.model.Coding c : detail.getCoding()) {
				if (ONWARD_SUPPORT_SYSTEM.equals(c.getSystem())) {
					task.addInput().setType(new CodeableConcept().addCoding(c.copy())).setValue(new org.hl7.fhir.r4.model.BooleanType(true));
				}
			}
		}
		if (!triage.isEmpty()) {
			task.setBusinessStatus(new CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(TRIAGE_SYSTEM, "eligibility-review",
					"Eligibility to be reviewed")));
			task.addNote(new Annotation().setTimeElement(new org.hl7.fhir.r4.model.DateTimeType(Date.from(now))).setText(
					"Eligibility to be reviewed by a link worker: " + triage.stream().map(EligibilityRules.Failure::diagnostics)
							.collect(Collectors.joining("; "))));
		}
		for (Flag flag : flags) {
			if (flag.getStatus() == Flag.FlagStatus.ACTIVE) {
				task.addNote(new Annotation().setTimeElement(new org.hl7.fhir.r4.model.DateTimeType(Date.from(now)))
						.setText("Risk or safeguarding flag sent with the referral: " + Codes.text(flag.getCode())));
			}
		}
		return task;
	}

	/** The referrer withdrew the referral: the provider's Task is cancelled, saying why. */
	static void cancel(Task task, String reason, Instant now) {
		task.setStatus(Task.TaskStatus.CANCELLED);
		task.setStatusReason(new CodeableConcept().setText(reason));
		task.setLastModified(Date.from(now));
		task.addNote(new Annotation().setTimeElement(new org.hl7.fhir.r4.model.DateTimeType(Date.from(now))).setText(reason));
	}

	/** The referrer changed the referral: the Task says so, so that a provider polling its Tasks sees the change. */
	static void referralChanged(Task task, String referralVersion, Instant now) {
		task.setLastModified(Date.from(now));
		task.addNote(new Annotation().setTimeElement(new org.hl7.fhir.r4.model.DateTimeType(Date.from(now)))
				.setText("The referrer changed the referral (now " + referralVersion + "); review the changes before continuing"));
	}
}
