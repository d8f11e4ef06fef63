package org.spgateway.feedback;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.Supplier;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;

/**
 * What a referrer is told about one event: a Communication (basedOn the referral, about its Task, from
 * the provider to the referrer) with a plain-words summary and references to the coded entries a GP
 * system can file (a Procedure or Observation coded in SNOMED CT, the outcome responses).
 */
final class FeedbackComposer {

	private static final String CATEGORY = "http://terminology.hl7.org/CodeSystem/communication-category";

	/** The Communication and the coded resources it refers to, ids assigned. */
	record Composed(Communication communication, List<Resource> coded) {}

	private final FeedbackEvents events;

	FeedbackComposer(FeedbackEvents events) {
		this.events = events;
	}

	/**
	 * @param ids a supplier of new resource ids
	 * @param delivered whether the referrer has a delivery route (else the Communication is there to be polled)
	 */
	Composed compose(String event, Task task, String taskId, ServiceRequest referral, String referralId, Instant now, Reference recipient,
			List<String> onwardServices, List<String> needs, OutcomeReport.Report outcomes, Supplier<String> ids, boolean delivered) {
		Communication c = new Communication();
		String id = ids.get();
		c.setId(id);
		c.setStatus(delivered ? Communication.CommunicationStatus.INPROGRESS : Communication.CommunicationStatus.COMPLETED);
		c.addCategory().addCoding(new Coding(CATEGORY, "notification", "Notification"));
		c.addBasedOn(new Reference("ServiceRequest/" + referralId));
		c.addAbout(new Reference("Task/" + taskId));
		c.setSubject(referral.getSubject().copy());
		c.addRecipient(recipient.copy());
		c.setSender(task.getOwner().copy());
		c.setSentElement(new DateTimeType(Date.from(now)));
		CodeableConcept reason = c.addReasonCode().addCoding(events.coding(event));
		List<Resource> coded = new ArrayList<>();
		FeedbackEvents.Filed filed = events.filed(event);
		if (filed != null) {
			reason.addCoding(filed.code().copy());
			Resource entry = "Observation".equals(filed.resourceType()) ? observation(filed.code(), referral, now) : procedure(filed.code(), referral,
					referralId, task, now);
			entry.setId(ids.get());
			coded.add(entry);
		}
		if ("rejected".equals(event) || "declined".equals(event)) {
			for (Coding r : task.getStatusReason().getCoding()) {
				Coding bars = events.barsRejection(r.getCode());
				if (bars != null) {
					reason.addCoding(bars);
				}
			}
		}
		List<String> outcomeWords = outcomes == null ? List.of() : outcomes.words();
		c.addPayload().setContent(new StringType(FeedbackWording.summary(event, task, needs, onwardServices, outcomeWords)));
		for (Resource r : coded) {
			c.addPayload().setContent(new Reference(r.fhirType() + "/" + r.getIdElement().getIdPart()));
		}
		if ("discharged".equals(event) || "ended".equals(event)) {
			// The outcome responses and onward referrals, as references the GP system can fetch and file.
			for (Task.TaskOutputComponent output : task.getOutput()) {
				if (output.getValue() instanceof Reference ref && ref.hasReference()) {
					c.addPayload().setContent(new Reference(ref.getReference()).setDisplay(ref.getDisplay()));
				}
			}
			if (outcomes != null) {
				// The scores at the first assessment and the latest, as the Observations outcome capture extracted.
				for (Resource o : outcomes.observations()) {
					c.addPayload().setContent(new Reference(o.fhirType() + "/" + o.getIdElement().getIdPart()));
				}
			}
		}
		return new Composed(c, coded);
	}

	private static Procedure procedure(Coding code, ServiceRequest referral, String referralId, Task task, Instant now) {
		Procedure p = new Procedure();
		p.setStatus(Procedure.ProcedureStatus.COMPLETED);
		p.setCode(new CodeableConcept().addCoding(code.copy()));
		p.setSubject(referral.getSubject().copy());
		p.addBasedOn(new Reference("ServiceRequest/" + referralId));
		p.setPerformed(new DateTimeType(Date.from(now)));
		p.addPerformer().setActor(task.getOwner().copy());
		return p;
	}

	private static Observation observation(Coding code, ServiceRequest referral, Instant now) {
		Observation o = new Observation();
		o.setStatus(Observation.ObservationStatus.FINAL);
		o.setCode(new CodeableConcept().addCoding(code.copy()));
		o.setSubject(referral.getSubject().copy());
		o.setEffective(new DateTimeType(Date.from(now)));
		return o;
	}
}
