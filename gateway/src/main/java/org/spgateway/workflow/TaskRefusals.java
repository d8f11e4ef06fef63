package org.spgateway.workflow;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.spgateway.fhir.Outcomes;
import org.spgateway.validation.ValidationIssue;

/** What the Task lifecycle says when it refuses a write: the wording, kept apart from the rules. */
final class TaskRefusals {

	private TaskRefusals() {}

	static BaseServerResponseException createRefused() {
		return rule("Tasks are created by the gateway only: referral intake creates the provider's Task with each referral"
				+ " (and an onward referral's Task with the onward ServiceRequest). To start work, send a ServiceRequest; to act on a referral,"
				+ " update its Task", "Task");
	}

	static BaseServerResponseException notAReferralTask(String id) {
		return rule("Task/" + id + " is not a referral Task the gateway created, so it cannot be changed through the API;"
				+ " only referral Tasks (and onward referral Tasks) have a lifecycle here", "Task");
	}

	static BaseServerResponseException focusMissing(String referral) {
		return rule("Task.focus is required and must stay " + referral + ", the referral this Task fulfils", "Task.focus");
	}

	static BaseServerResponseException focusChanged(String referral, String sent) {
		return rule("Task.focus must stay " + referral + ", the referral this Task fulfils; the update names " + sent
				+ ". To act on another referral, update that referral's Task", "Task.focus");
	}

	static BaseServerResponseException immutable(String element) {
		return rule(element + " cannot be changed: it was set by the gateway from the referral (a Task's person, referral,"
				+ " requester, owner, intent, code, authoredOn, basedOn and partOf stay as created)", element);
	}

	static BaseServerResponseException forbiddenMove(TaskStatus from, TaskStatus to) {
		String onward = TaskTransitions.isTerminal(from)
				? from.toCode() + " is final" + (TaskTransitions.next(from).isEmpty() ? "" : "; it can only be marked entered-in-error")
				: "From " + from.toCode() + " it can move to: " + codes(TaskTransitions.next(from));
		String message = "A Task cannot move from " + from.toCode() + " to " + to.toCode() + ". " + onward;
		return new ResourceVersionConflictException(message, Outcomes.single(IssueSeverity.ERROR, IssueType.BUSINESSRULE, message, "Task.status"));
	}

	static BaseServerResponseException rejectionNotCoded() {
		return rule("A rejected Task must say why with a coded reason: Task.statusReason.coding from "
				+ LifecycleCodes.REJECTION_REASON + " (not-eligible, beyond-remit, could-not-contact, person-declined, duplicate, capacity,"
				+ " other), with statusReason.text in plain words", "Task.statusReason");
	}

	static BaseServerResponseException unknownRejectionReason(String code) {
		return rule("'" + code + "' is not a rejection reason of " + LifecycleCodes.REJECTION_REASON, "Task.statusReason.coding");
	}

	static BaseServerResponseException unknownStep(int index, String system, String code) {
		return rule("Task.businessStatus must be a step from " + BusinessSteps.SYSTEM + "; '" + (system == null ? "" : system + "|")
				+ code + "' is not one", "Task.businessStatus.coding[" + index + "]");
	}

	static BaseServerResponseException stepNotAllowed(String step, TaskStatus status, Collection<String> allowed) {
		return rule("Business status '" + step + "' cannot be set while the Task is " + status.toCode() + "; under "
				+ status.toCode() + " the steps are: " + (allowed.isEmpty() ? "none" : String.join(", ", allowed)), "Task.businessStatus");
	}

	static BaseServerResponseException outputValue(int index, String type, String expected) {
		return rule("A '" + type + "' output holds " + expected, "Task.output[" + index + "].value");
	}

	static BaseServerResponseException unknownService(int index, String what) {
		return rule(what + " is not a service in the directory; name a HealthcareService by reference or by its identifier"
				+ " (e.g. its DoS id), or give the service's name as valueString for signposting outside the directory",
				"Task.output[" + index + "].value");
	}

	static BaseServerResponseException unknownTarget(int index, String reference) {
		return rule(reference + " does not exist", "Task.output[" + index + "].value");
	}

	static BaseServerResponseException notOnward(int index, String reference, String referral) {
		return rule(reference + " is not an onward referral from " + referral + " (its basedOn must name it)",
				"Task.output[" + index + "].value");
	}

	static BaseServerResponseException closingWithoutConnection(TaskStatus status) {
		return rule("A referral Task that is " + status.toCode() + " must say what the person was connected to: add Task.output"
				+ " entries typed " + LifecycleCodes.TASK_OUTPUT + " onward-referral (a ServiceRequest), signposting (a service) or"
				+ " no-onward-connection (valueString saying why)", "Task.output");
	}

	static BaseServerResponseException onwardStillRequested(Collection<String> tasks) {
		return rule("Onward referral " + String.join(", ", tasks) + (tasks.size() == 1 ? " is" : " are") + " still requested."
				+ " Close the case once the onward service has answered, or say in Task.statusReason.text why it closes anyway", "Task.status");
	}

	static BaseServerResponseException actorNotAllowed(String organisation, String task) {
		String message = "Organisation " + organisation + " may not change " + task + ": only its owner may work it (and, for an onward"
				+ " referral, the provider that made it, on the owner's behalf)";
		return new ForbiddenOperationException(message, Outcomes.single(IssueSeverity.ERROR, IssueType.FORBIDDEN, message, "Task.owner"));
	}

	static BaseServerResponseException callerNotAllowed(String task) {
		String message = "This client may not change " + task + ": only the Task's owner accepts, rejects, progresses or completes it (and,"
				+ " for an onward referral, the provider that made it, on the owner's behalf); the referrer may only cancel it";
		return new ForbiddenOperationException(message, Outcomes.single(IssueSeverity.ERROR, IssueType.FORBIDDEN, message, "Task.owner"));
	}

	/** 422: the change is understood but breaks a rule of the lifecycle. */
	private static BaseServerResponseException rule(String diagnostics, String expression) {
		return Outcomes.unprocessable(List.of(ValidationIssue.error(IssueType.BUSINESSRULE, diagnostics, expression)));
	}

	private static String codes(Collection<TaskStatus> statuses) {
		return statuses.stream().map(TaskStatus::toCode).collect(Collectors.joining(", "));
	}
}
