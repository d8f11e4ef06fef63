package org.spgateway.workflow;

import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.spgateway.store.LocalReference;

/**
 * The rules every change to a referral Task must meet, decided from the stored Task, the sent one and
 * a few lookups: the referral stays the same, the status moves as the closed-loop pattern allows, a
 * rejection is coded, business steps fit the status, outputs name things that exist, and a case
 * closes only when it says what the person was connected to.
 */
final class TaskRules {

	/** What the rules need to know beyond the two Tasks. */
	interface Lookups {

		/** Whether a resource exists on this server. */
		boolean exists(String type, String id);

		/** Whether a ServiceRequest is based on the given referral (ServiceRequest/id). */
		boolean basedOn(String serviceRequestId, String referral);

		/** Whether a reference names a HealthcareService in the directory (literally or by identifier). */
		boolean knownService(Reference service);

		/** The onward sub-Tasks of a Task (partOf it) that are still requested, as Task/id. */
		List<String> requestedSubTasks(String taskId);

		/** Whether a Task has onward sub-Tasks at all. */
		boolean hasSubTasks(String taskId);
	}

	private final BusinessSteps steps;
	private final Set<String> rejectionReasons;

	TaskRules(BusinessSteps steps, Set<String> rejectionReasons) {
		this.steps = steps;
		this.rejectionReasons = Set.copyOf(rejectionReasons);
	}

	/**
	 * Throws the first broken rule as the HTTP error to answer with.
	 *
	 * @param referral "ServiceRequest/id": the referral this Task fulfils
	 */
	void check(String taskId, Task before, Task after, String referral, Lookups lookups) {
		checkFocus(after, referral);
		checkImmutable(before, after);
		TaskStatus from = before.getStatus();
		TaskStatus to = after.getStatus();
		if (!TaskTransitions.allowed(from, to)) {
			throw TaskRefusals.forbiddenMove(from, to);
		}
		if (to == TaskStatus.REJECTED && from != to) {
			checkRejectionReason(after.getStatusReason());
		}
		if (!after.getBusinessStatus().equalsDeep(before.getBusinessStatus())) {
			checkStep(after.getBusinessStatus(), to);
		}
		checkOutputs(after, referral, lookups);
		boolean closing = (to == TaskStatus.COMPLETED || to == TaskStatus.FAILED) && from != to;
		if (closing && !after.hasPartOf()) {
			// A case closes saying what the person was connected to; onward referrals count as they are.
			if (!connects(after) && !lookups.hasSubTasks(taskId)) {
				throw TaskRefusals.closingWithoutConnection(to);
			}
			List<String> waiting = lookups.requestedSubTasks(taskId);
			if (!waiting.isEmpty() && !after.getStatusReason().hasText()) {
				throw TaskRefusals.onwardStillRequested(waiting);
			}
		}
	}

	private static void checkFocus(Task after, String referral) {
		if (!after.hasFocus() || !after.getFocus().hasReference()) {
			throw TaskRefusals.focusMissing(referral);
		}
		LocalReference focus = LocalReference.parse(after.getFocus().getReference());
		if (focus == null || !focus.versionless().equals(referral)) {
			throw TaskRefusals.focusChanged(referral, after.getFocus().getReference());
		}
	}

	private static void checkImmutable(Task before, Task after) {
		same("Task.for", before.getFor(), after.getFor());
		same("Task.requester", before.getRequester(), after.getRequester());
		same("Task.owner", before.getOwner(), after.getOwner());
		same("Task.intent", before.getIntentElement(), after.getIntentElement());
		same("Task.code", before.getCode(), after.getCode());
		same("Task.authoredOn", before.getAuthoredOnElement(), after.getAuthoredOnElement());
		sameList("Task.basedOn", before.getBasedOn(), after.getBasedOn());
		sameList("Task.partOf", before.getPartOf(), after.getPartOf());
	}

	private static void same(String element, Base before, Base after) {
		boolean beforeEmpty = before == null || before.isEmpty();
		boolean afterEmpty = after == null || after.isEmpty();
		if (beforeEmpty != afterEmpty || !beforeEmpty && !before.equalsDeep(after)) {
			throw TaskRefusals.immutable(element);
		}
	}

	private static void sameList(String element, List<? extends Base> before, List<? extends Base> after) {
		if (before.size() != after.size()) {
			throw TaskRefusals.immutable(element);
		}
		for (int i = 0; i < before.size(); i++) {
			same(element, before.get(i), after.get(i));
		}
	}

	private void checkRejectionReason(CodeableConcept reason) {
		Coding coded = reason.getCoding().stream().filter(c -> LifecycleCodes.REJECTION_REASON.equals(c.getSystem())).findFirst().orElse(null);
		if (coded == null) {
			throw TaskRefusals.rejectionNotCoded();
		}
		if (!rejectionReasons.contains(coded.getCode())) {
			throw TaskRefusals.unknownRejectionReason(coded.getCode());
		}
	}

	private void checkStep(CodeableConcept businessStatus, TaskStatus status) {
		List<Coding> codings = businessStatus.getCoding();
		for (int i = 0; i < codings.size(); i++) {
			Coding c = codings.get(i);
			BusinessSteps.Step step = steps.step(c);
			if (step == null) {
				throw TaskRefusals.unknownStep(i, c.getSystem(), c.getCode());
			}
			if (!step.allowedUnder().contains(status)) {
				throw TaskRefusals.stepNotAllowed(step.code(), status, steps.allowedUnder(status));
			}
		}
	}

	private static void checkOutputs(Task task, String referral, Lookups lookups) {
		List<Task.TaskOutputComponent> outputs = task.getOutput();
		for (int i = 0; i < outputs.size(); i++) {
			Task.TaskOutputComponent output = outputs.get(i);
			String type = type(output);
			if (type == null) {
				continue;
			}
			switch (type) {
				case LifecycleCodes.ONWARD_REFERRAL -> {
					LocalReference target = local(output, "ServiceRequest");
					if (target == null) {
						throw TaskRefusals.outputValue(i, type, "a valueReference to the onward ServiceRequest");
					}
					if (!lookups.exists("ServiceRequest", target.id())) {
						throw TaskRefusals.unknownTarget(i, target.versionless());
					}
					if (!lookups.basedOn(target.id(), referral)) {
						throw TaskRefusals.notOnward(i, target.versionless(), referral);
					}
				}
				case LifecycleCodes.SIGNPOSTING, LifecycleCodes.SUGGESTED_SERVICE -> {
					if (output.getValue() instanceof Reference service) {
						if (!lookups.knownService(service)) {
							throw TaskRefusals.unknownService(i, describe(service));
						}
					} else if (!(output.getValue() instanceof StringType name && name.hasValue()) || type.equals(LifecycleCodes.SUGGESTED_SERVICE)) {
						throw TaskRefusals.outputValue(i, type, type.equals(LifecycleCodes.SUGGESTED_SERVICE)
								? "a valueReference to a HealthcareService in the directory"
								: "a valueReference to a HealthcareService in the directory, or a valueString naming the service");
					}
				}
				case LifecycleCodes.OUTCOME_RESPONSE -> {
					LocalReference target = local(output, "QuestionnaireResponse");
					if (target == null) {
						throw TaskRefusals.outputValue(i, type, "a valueReference to a QuestionnaireResponse");
					}
					if (!lookups.exists("QuestionnaireResponse", target.id())) {
						throw TaskRefusals.unknownTarget(i, target.versionless());
					}
				}
				case LifecycleCodes.NO_ONWARD_CONNECTION -> {
					if (!(output.getValue() instanceof StringType why && why.hasValue())) {
						throw TaskRefusals.outputValue(i, type, "a valueString saying why the person was not connected to anything");
					}
				}
				default -> throw TaskRefusals.outputValue(i, type, "nothing: it is not an output type of " + LifecycleCodes.TASK_OUTPUT);
			}
		}
	}

	/** Whether a closing Task says what the person was connected to. */
	static boolean connects(Task task) {
		return task.getOutput().stream().map(TaskRules::type).anyMatch(t -> LifecycleCodes.ONWARD_REFERRAL.equals(t)
				|| LifecycleCodes.SIGNPOSTING.equals(t) || LifecycleCodes.NO_ONWARD_CONNECTION.equals(t));
	}

	/** The output's type code in the gateway's output system, or null for outputs typed otherwise (left alone). */
	static String type(Task.TaskOutputComponent output) {
		return output.getType().getCoding().stream().filter(c -> LifecycleCodes.TASK_OUTPUT.equals(c.getSystem())).map(Coding::getCode)
				.findFirst().orElse(null);
	}

	private static LocalReference local(Task.TaskOutputComponent output, String type) {
		if (output.getValue() instanceof Reference ref) {
			LocalReference local = LocalReference.parse(ref.getReference());
			return local != null && local.type().equals(type) ? local : null;
		}
		return null;
	}

	private static String describe(Reference service) {
		if (service.hasReference()) {
			return service.getReference();
		}
		if (service.hasIdentifier()) {
			return service.getIdentifier().getSystem() + "|" + service.getIdentifier().getValue();
		}
		return "The service";
	}
}
