package org.spgateway.workflow;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Task;

/**
 * Who changed a referral Task, and for whom: the acting organisation as author and, when a provider
 * records an onward service's outcome for it (community groups often have no system), the onward
 * service's organisation as the one acted for.
 */
final class TaskProvenance {

	private static final String PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type";
	private static final String OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation";

	private TaskProvenance() {}

	/**
	 * @param targets versioned references to what the change wrote (the Task first)
	 * @param actor the organisation that made the change
	 * @param onBehalfOf the Task's owner when the actor is someone else, else null
	 */
	static Provenance of(List<Reference> targets, Task task, Instant now, Reference actor, Reference onBehalfOf) {
		Provenance p = new Provenance();
		targets.forEach(t -> p.addTarget(t.copy()));
		p.setRecorded(Date.from(now));
		p.setActivity(new CodeableConcept().addCoding(new Coding(OPERATION, "UPDATE", "revise"))
				.setText("Task " + task.getStatus().toCode() + (task.hasBusinessStatus() ? ", " + step(task) : "")));
		Provenance.ProvenanceAgentComponent author = p.addAgent();
		author.setType(new CodeableConcept().addCoding(new Coding(PARTICIPANT, "author", "Author")));
		author.setWho(actor.copy());
		if (onBehalfOf != null) {
			author.setOnBehalfOf(onBehalfOf.copy());
		}
		return p;
	}

	private static String step(Task task) {
		Coding c = task.getBusinessStatus().getCodingFirstRep();
		return c.hasDisplay() ? c.getDisplay() : c.hasCode() ? c.getCode() : task.getBusinessStatus().getText();
	}
}
