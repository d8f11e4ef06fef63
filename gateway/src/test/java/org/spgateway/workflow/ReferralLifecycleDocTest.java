package org.spgateway.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.junit.jupiter.api.Test;

/** docs/referral-lifecycle.md says what the shipped CodeSystem says, and names only example files that exist. */
class ReferralLifecycleDocTest {

	static final Path DOC = Path.of("..", "docs", "referral-lifecycle.md");

	@Test
	void theStepsTableIsTheCodeSystem() throws IOException {
		Map<String, String> documented = new LinkedHashMap<>();
		for (String line : Files.readAllLines(DOC)) {
			if (line.startsWith("| `")) {
				String[] cells = Arrays.stream(line.split("\\|", -1)).map(String::trim).toArray(String[]::new);
				if (cells.length == 6) {
					documented.put(cells[1].replace("`", ""), sorted(cells[2]) + " / " + cells[3] + " / " + cells[4]);
				}
			}
		}
		BusinessSteps steps = TaskRulesTest.STEPS;
		Map<String, String> shipped = new LinkedHashMap<>();
		for (String code : documented.keySet()) {
			BusinessSteps.Step s = steps.step(code);
			assertThat(s).as("step " + code + " in the CodeSystem").isNotNull();
		}
		for (TaskStatus status : TaskStatus.values()) {
			if (status != TaskStatus.NULL) {
				steps.allowedUnder(status).forEach(code -> shipped.putIfAbsent(code, ""));
			}
		}
		for (String code : shipped.keySet()) {
			BusinessSteps.Step s = steps.step(code);
			String under = Stream.of(TaskStatus.values()).filter(s.allowedUnder()::contains).map(TaskStatus::toCode).collect(Collectors.joining(", "));
			shipped.put(code, sorted(under) + " / " + (s.countsAsContact() ? "yes" : "") + " / " + (s.onwardOutcome() ? "yes" : ""));
		}
		assertThat(documented).containsExactlyInAnyOrderEntriesOf(shipped);
	}

	private static String sorted(String statuses) {
		return Arrays.stream(statuses.split(",")).map(String::trim).sorted().collect(Collectors.joining(", "));
	}

	@Test
	void everyExampleTheDocNamesExists() throws IOException {
		String doc = Files.readString(DOC);
		Matcher matcher = Pattern.compile("examples/lifecycle/([a-z0-9-]+\\.json)").matcher(doc);
		int named = 0;
		while (matcher.find()) {
			assertThat(Journey.EXAMPLES.resolve(matcher.group(1))).as(matcher.group(0)).exists();
			named++;
		}
		assertThat(named).isGreaterThan(15);
	}
}
