package org.spgateway.workflow;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.spgateway.conformance.ConformanceResources;

/**
 * The link worker's steps (Task.businessStatus) and the Task statuses each is allowed under, read from
 * CodeSystem sp-business-status in profiles/: which steps go with which status is data, checked on
 * every Task write.
 */
public final class BusinessSteps {

	public static final String SYSTEM = "https://spgateway.org/fhir/CodeSystem/sp-business-status";

	/** One step: its display and the statuses it may be set under. */
	public record Step(String code, String display, Set<TaskStatus> allowedUnder, boolean countsAsContact, boolean onwardOutcome) {}

	private final Map<String, Step> steps;

	public BusinessSteps(Map<String, Step> steps) {
		// In the CodeSystem's order, so that messages list the steps as the file does.
		this.steps = Collections.unmodifiableMap(new LinkedHashMap<>(steps));
	}

	public static BusinessSteps from(ConformanceResources conformance) {
		CodeSystem system = conformance.ofType(CodeSystem.class).stream().filter(cs -> SYSTEM.equals(cs.getUrl())).findFirst()
				.orElseThrow(() -> new IllegalStateException("CodeSystem " + SYSTEM + " is missing from profiles/: the Task lifecycle needs it"));
		Map<String, Step> steps = new LinkedHashMap<>();
		for (CodeSystem.ConceptDefinitionComponent concept : system.getConcept()) {
			Set<TaskStatus> under = EnumSet.noneOf(TaskStatus.class);
			boolean contact = false;
			boolean onward = false;
			for (CodeSystem.ConceptPropertyComponent p : concept.getProperty()) {
				switch (p.getCode()) {
					case "allowed-status" -> under.add(status(concept.getCode(), p.getValue().primitiveValue()));
					case "counts-as-contact" -> contact = p.getValue() instanceof BooleanType b && b.booleanValue();
					case "onward-outcome" -> onward = p.getValue() instanceof BooleanType b && b.booleanValue();
					default -> { }
				}
			}
			if (under.isEmpty()) {
				throw new IllegalStateException("Business status " + concept.getCode() + " in " + SYSTEM + " has no allowed-status property,"
						+ " so it could never be set");
			}
			steps.put(concept.getCode(), new Step(concept.getCode(), concept.getDisplay(), under, contact, onward));
		}
		return new BusinessSteps(steps);
	}

	private static TaskStatus status(String step, String code) {
		try {
			return TaskStatus.fromCode(code);
		} catch (Exception e) {
			throw new IllegalStateException("Business status " + step + " in " + SYSTEM + " names an unknown Task status '" + code + "'", e);
		}
	}

	/** The step a coding names, or null when it is not one of ours. */
	public Step step(Coding coding) {
		return coding != null && SYSTEM.equals(coding.getSystem()) ? steps.get(coding.getCode()) : null;
	}

	public Step step(String code) {
		return steps.get(code);
	}

	/** The steps allowed under a status, for error messages and documentation. */
	public Set<String> allowedUnder(TaskStatus status) {
		Set<String> codes = new LinkedHashSet<>();
		steps.values().stream().filter(s -> s.allowedUnder().contains(status)).forEach(s -> codes.add(s.code()));
		return codes;
	}

	public Coding coding(String code) {
		Step s = steps.get(code);
		return new Coding(SYSTEM, code, s == null ? null : s.display());
	}
}
