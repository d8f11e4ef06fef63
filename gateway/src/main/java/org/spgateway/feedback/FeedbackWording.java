package org.spgateway.feedback;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;

/**
 * The plain words a referrer reads for each event. The discharge summary follows the sections of the
 * PRSB social prescribing "message back to GP and referrer": needs and concerns, support offered,
 * outcomes.
 */
final class FeedbackWording {

	private FeedbackWording() {}

	static String summary(String event, Task task, List<String> needs, List<String> onwardServices, List<String> outcomes) {
		String provider = name(task.getOwner(), "The social prescribing service");
		return switch (event) {
			case "accepted" -> provider + " accepted the referral; a link worker will contact the person.";
			case "declined" -> "The person declined social prescribing" + reason(task) + ".";
			case "rejected" -> provider + " could not take the referral" + reason(task) + "." + suggested(task);
			case "contact-failed" -> "The link worker tried to contact the person and could not reach them.";
			case "did-not-attend" -> "The person did not attend a booked appointment with the link worker.";
			case "not-engaged" -> "The person did not take up the support offered" + reason(task) + ".";
			case "onward-referral" -> onwardServices.isEmpty() ? "The link worker referred the person on to a community service."
					: "The link worker referred the person on to: " + String.join("; ", onwardServices) + ".";
			case "discharged", "ended" -> ("discharged".equals(event) ? "Discharged from social prescribing. " : "Social prescribing support ended"
					+ reason(task) + ". ") + "Needs and concerns: " + (needs.isEmpty() ? "as referred" : String.join("; ", needs))
					+ ". Support offered: " + support(task, onwardServices)
					+ ". Outcomes: " + (outcomes.isEmpty() ? outcomes(task) : String.join("; ", outcomes)) + ".";
			default -> provider + ": " + event;
		};
	}

	private static String reason(Task task) {
		return task.getStatusReason().hasText() ? ": " + task.getStatusReason().getText() : "";
	}

	private static String suggested(Task task) {
		List<String> services = task.getOutput().stream().filter(o -> "suggested-service".equals(o.getType().getCodingFirstRep().getCode()))
				.map(o -> o.getValue() instanceof Reference r ? name(r, "a service in the directory") : o.getValue().primitiveValue()).toList();
		return services.isEmpty() ? "" : " Suggested instead: " + String.join("; ", services) + ".";
	}

	private static String support(Task task, List<String> onwardServices) {
		List<String> support = new ArrayList<>(onwardServices.stream().map(s -> "referred to " + s).toList());
		for (Task.TaskOutputComponent o : task.getOutput()) {
			String type = o.getType().getCodingFirstRep().getCode();
			if ("signposting".equals(type)) {
				String service = o.getValue() instanceof Reference r ? name(r, "a service in the directory") : o.getValue().primitiveValue();
				support.add("signposted to " + service);
			} else if ("no-onward-connection".equals(type) && o.getValue() instanceof StringType s) {
				support.add("link worker support only (" + s.getValue() + ")");
			}
		}
		return support.isEmpty() ? "link worker support" : String.join("; ", support);
	}

	private static String outcomes(Task task) {
		long responses = task.getOutput().stream().filter(o -> "outcome-response".equals(o.getType().getCodingFirstRep().getCode())).count();
		return responses == 0 ? "none recorded" : responses + " outcome questionnaire" + (responses == 1 ? "" : "s") + " attached (see $outcomes for"
				+ " baseline, latest and change)";
	}

	private static String name(Reference ref, String otherwise) {
		if (ref == null) {
			return otherwise;
		}
		if (ref.hasDisplay()) {
			return ref.getDisplay();
		}
		if (ref.hasIdentifier()) {
			return ref.getIdentifier().getValue();
		}
		return ref.hasReference() ? ref.getReference() : otherwise;
	}
}
