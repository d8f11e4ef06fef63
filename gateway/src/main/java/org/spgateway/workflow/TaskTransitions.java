package org.spgateway.workflow;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Task.TaskStatus;

/**
 * The referral Task's status machine, on the HL7 Gravity closed-loop pattern: the performer answers a
 * request (accepted or rejected), works it (in-progress, on-hold) and closes it (completed, failed);
 * either side may cancel while it is open; anything may be marked entered-in-error. Closed statuses
 * are final, so what the referrer was told stays true.
 */
public final class TaskTransitions {

	private static final Map<TaskStatus, Set<TaskStatus>> NEXT = new EnumMap<>(TaskStatus.class);
	private static final Set<TaskStatus> TERMINAL = EnumSet.of(TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.REJECTED,
			TaskStatus.CANCELLED, TaskStatus.ENTEREDINERROR);
	private static final Set<TaskStatus> REASON_REQUIRED = EnumSet.of(TaskStatus.REJECTED, TaskStatus.CANCELLED, TaskStatus.ONHOLD,
			TaskStatus.FAILED);

	static {
		NEXT.put(TaskStatus.DRAFT, EnumSet.of(TaskStatus.REQUESTED, TaskStatus.CANCELLED));
		NEXT.put(TaskStatus.REQUESTED, EnumSet.of(TaskStatus.ACCEPTED, TaskStatus.REJECTED, TaskStatus.CANCELLED));
		NEXT.put(TaskStatus.RECEIVED, EnumSet.of(TaskStatus.ACCEPTED, TaskStatus.REJECTED, TaskStatus.CANCELLED));
		NEXT.put(TaskStatus.ACCEPTED, EnumSet.of(TaskStatus.INPROGRESS, TaskStatus.ONHOLD, TaskStatus.CANCELLED, TaskStatus.COMPLETED,
				TaskStatus.FAILED));
		NEXT.put(TaskStatus.READY, EnumSet.of(TaskStatus.INPROGRESS, TaskStatus.ONHOLD, TaskStatus.CANCELLED, TaskStatus.COMPLETED,
				TaskStatus.FAILED));
		NEXT.put(TaskStatus.INPROGRESS, EnumSet.of(TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.ONHOLD, TaskStatus.CANCELLED));
		NEXT.put(TaskStatus.ONHOLD, EnumSet.of(TaskStatus.INPROGRESS, TaskStatus.CANCELLED, TaskStatus.COMPLETED, TaskStatus.FAILED));
		for (TaskStatus s : TaskStatus.values()) {
			if (s == TaskStatus.NULL) {
				continue;
			}
			Set<TaskStatus> next = NEXT.computeIfAbsent(s, k -> EnumSet.noneOf(TaskStatus.class));
			if (!TERMINAL.contains(s)) {
				next.add(TaskStatus.ENTEREDINERROR);
			}
		}
		// A closed Task may still be found to have been recorded in error.
		for (TaskStatus s : TERMINAL) {
			if (s != TaskStatus.ENTEREDINERROR) {
				NEXT.get(s).add(TaskStatus.ENTEREDINERROR);
			}
		}
	}

	private TaskTransitions() {}

	/** Whether a Task may move from one status to another; staying in the same status is always allowed. */
	public static boolean allowed(TaskStatus from, TaskStatus to) {
		return from == to || NEXT.getOrDefault(from, Set.of()).contains(to);
	}

	/** The statuses a Task may move to next, in the order FHIR lists them. */
	public static Set<TaskStatus> next(TaskStatus from) {
		return NEXT.getOrDefault(from, Set.of());
	}

	public static boolean isTerminal(TaskStatus status) {
		return TERMINAL.contains(status);
	}

	/** Statuses that must say why (statusReason). */
	public static boolean needsReason(TaskStatus status) {
		return REASON_REQUIRED.contains(status);
	}
}
