package org.spgateway.feedback;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.Task;
import org.spgateway.conformance.ConformanceResources;

/**
 * Which referral Task changes the referrer hears about, and the SNOMED CT code a GP record files for
 * each: read from ConceptMaps sp-feedback-events and sp-feedback-event-to-snomed in profiles/, so that
 * changing what referrers hear is a change to data.
 */
public final class FeedbackEvents {

	public static final String SYSTEM = "https://spgateway.org/fhir/CodeSystem/sp-feedback-event";
	static final String EVENTS_MAP = "https://spgateway.org/fhir/ConceptMap/sp-feedback-events";
	static final String SNOMED_MAP = "https://spgateway.org/fhir/ConceptMap/sp-feedback-event-to-snomed";
	static final String BARS_REJECTION_MAP = "https://spgateway.org/fhir/ConceptMap/sp-rejection-reason-to-bars";
	static final String TASK_STATUS = "http://hl7.org/fhir/task-status";
	static final String BUSINESS_STATUS = "https://spgateway.org/fhir/CodeSystem/sp-business-status";
	static final String REJECTION_REASON = "https://spgateway.org/fhir/CodeSystem/sp-rejection-reason";

	/** The coded entry a GP record files for an event: the SNOMED CT concept and the resource type that carries it. */
	public record Filed(Coding code, String resourceType) {}

	private final Map<String, String> events = new HashMap<>();
	private final Map<String, Filed> filed = new HashMap<>();
	private final Map<String, Coding> barsRejections = new HashMap<>();
	private final Map<String, String> displays = new HashMap<>();

	public FeedbackEvents(ConformanceResources conformance) {
		for (ConceptMap map : conformance.ofType(ConceptMap.class)) {
			for (ConceptMap.ConceptMapGroupComponent group : map.getGroup()) {
				for (ConceptMap.SourceElementComponent element : group.getElement()) {
					if (element.getTarget().isEmpty()) {
						continue;
					}
					ConceptMap.TargetElementComponent target = element.getTargetFirstRep();
					switch (map.getUrl()) {
						case EVENTS_MAP -> events.put(group.getSource() + "|" + element.getCode(), target.getCode());
						case SNOMED_MAP -> filed.put(element.getCode(), new Filed(new Coding(group.getTarget(), target.getCode(), target.getDisplay()),
								target.hasComment() ? target.getComment() : "Procedure"));
						case BARS_REJECTION_MAP -> barsRejections.put(element.getCode(), new Coding(group.getTarget(), target.getCode(), null));
						default -> { }
					}
				}
			}
		}
		for (CodeSystem cs : conformance.ofType(CodeSystem.class)) {
			if (SYSTEM.equals(cs.getUrl())) {
				cs.getConcept().forEach(c -> displays.put(c.getCode(), c.getDisplay()));
			}
		}
		if (events.isEmpty()) {
			throw new IllegalStateException("ConceptMap " + EVENTS_MAP + " is missing from profiles/ or empty: no referrer would hear anything");
		}
	}

	/**
	 * Whether this Task's status or step could produce an event at all: most lifecycle steps do not, and
	 * then the previous version need not be read to compare.
	 */
	public boolean mayProduce(Task after) {
		return events.containsKey(TASK_STATUS + "|" + after.getStatus().toCode()) || after.getBusinessStatus().getCoding().stream()
				.anyMatch(step -> events.containsKey(step.getSystem() + "|" + step.getCode()));
	}

	/** The events a Task change produces, the status's first; empty when the referrer need not hear of it. */
	public List<String> of(Task before, Task after) {
		Set<String> found = new LinkedHashSet<>();
		if (before == null || before.getStatus() != after.getStatus()) {
			String event = events.get(TASK_STATUS + "|" + after.getStatus().toCode());
			if (event != null && after.getStatus() == Task.TaskStatus.REJECTED) {
				// A rejection that is really the person declining is told as that (it has its own SNOMED CT code).
				for (Coding reason : after.getStatusReason().getCoding()) {
					String declined = events.get(REJECTION_REASON + "|" + reason.getCode());
					if (REJECTION_REASON.equals(reason.getSystem()) && declined != null) {
						event = declined;
					}
				}
			}
			if (event != null) {
				found.add(event);
			}
		}
		if (before == null || !before.getBusinessStatus().equalsDeep(after.getBusinessStatus())) {
			for (Coding step : after.getBusinessStatus().getCoding()) {
				String event = BUSINESS_STATUS.equals(step.getSystem()) ? events.get(BUSINESS_STATUS + "|" + step.getCode()) : null;
				if (event != null) {
					found.add(event);
				}
			}
		}
		return new ArrayList<>(found);
	}

	public Coding coding(String event) {
		return new Coding(SYSTEM, event, displays.get(event));
	}

	/** The SNOMED CT entry a GP record files for the event, or null. */
	public Filed filed(String event) {
		return filed.get(event);
	}

	/** The BaRS rejection code for a gateway rejection reason, or null. */
	public Coding barsRejection(String reason) {
		Coding c = barsRejections.get(reason);
		return c == null ? null : c.copy();
	}
}
