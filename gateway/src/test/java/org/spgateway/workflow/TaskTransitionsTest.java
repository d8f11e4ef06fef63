package org.spgateway.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every pair of Task statuses against the closed-loop table, written out here as the issue states it. */
class TaskTransitionsTest {

	/** The allowed moves, besides staying put and any open status to entered-in-error. */
	private static final Map<String, Set<String>> TABLE = Map.of(
			"draft", Set.of("requested", "cancelled"),
			"requested", Set.of("accepted", "rejected", "cancelled"),
			"received", Set.of("accepted", "rejected", "cancelled"),
			"accepted", Set.of("in-progress", "on-hold", "cancelled", "completed", "failed"),
			"ready", Set.of("in-progress", "on-hold", "cancelled", "completed", "failed"),
			"in-progress", Set.of("completed", "failed", "on-hold", "cancelled"),
			"on-hold", Set.of("in-progress", "cancelled", "completed", "failed"));
	private static final Set<String> TERMINAL = Set.of("completed", "failed", "rejected", "cancelled", "entered-in-error");

	static Stream<Arguments> everyPair() {
		TaskStatus[] all = Arrays.stream(TaskStatus.values()).filter(s -> s != TaskStatus.NULL).toArray(TaskStatus[]::new);
		return Arrays.stream(all).flatMap(from -> Arrays.stream(all).map(to -> Arguments.of(from.toCode(), to.toCode())));
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@MethodSource("everyPair")
	void aMoveIsAllowedExactlyWhenTheClosedLoopTableSaysSo(String from, String to) {
		boolean expected = from.equals(to) || "entered-in-error".equals(to) || TABLE.getOrDefault(from, Set.of()).contains(to);
		assertThat(TaskTransitions.allowed(TaskStatus.fromCode(from), TaskStatus.fromCode(to))).isEqualTo(expected);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("statuses")
	void closedStatusesAreFinalExceptForEnteredInError(String status) {
		TaskStatus s = TaskStatus.fromCode(status);
		assertThat(TaskTransitions.isTerminal(s)).isEqualTo(TERMINAL.contains(status));
		if (TERMINAL.contains(status)) {
			assertThat(TaskTransitions.next(s)).allMatch(n -> n == TaskStatus.ENTEREDINERROR);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("statuses")
	void rejectedCancelledOnHoldAndFailedMustSayWhy(String status) {
		assertThat(TaskTransitions.needsReason(TaskStatus.fromCode(status)))
				.isEqualTo(Set.of("rejected", "cancelled", "on-hold", "failed").contains(status));
	}

	static Stream<String> statuses() {
		return Arrays.stream(TaskStatus.values()).filter(s -> s != TaskStatus.NULL).map(TaskStatus::toCode);
	}
}
