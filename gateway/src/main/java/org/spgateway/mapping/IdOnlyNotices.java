package org.spgateway.mapping;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Date;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Task;

/**
 * What a partner with {@code payload: id-only} is sent: which resource changed and nothing of its content, so the partner reads it
 * with its own credentials (and the gateway's access rules). Two forms, by channel:
 * <ul>
 * <li>{@code json-webhook}: a plain JSON object {@code {"event", "resource", "referral", "task", "at"}};</li>
 * <li>{@code fhir-rest-hook}: the FHIR R4 Subscriptions backport's id-only notification, a {@code history} Bundle whose first entry is
 * the status Parameters ({@code type} event-notification, a {@code notification-event} with the {@code focus}) and whose second names
 * the resource by fullUrl only.</li>
 * </ul>
 */
class IdOnlyNotices {

	static final String FEEDBACK_TOPIC = "https://spgateway.org/fhir/SubscriptionTopic/partner-feedback";
	static final String NOTIFICATION_TOPIC = "https://spgateway.org/fhir/SubscriptionTopic/partner-referral";
	private static final String FEEDBACK_EVENTS = "https://spgateway.org/fhir/CodeSystem/sp-feedback-event";

	private final String base;
	private final FhirContext fhirContext;

	/** @param base the gateway's public FHIR base URL, which fullUrls and references name */
	IdOnlyNotices(String base, FhirContext fhirContext) {
		this.base = base.replaceAll("/+$", "");
		this.fhirContext = fhirContext;
	}

	/** Feedback, id-only, as plain JSON: the Communication that says what happened, and the referral and Task it is about. */
	String feedbackJson(Bundle carried) {
		Communication said = find(carried, Communication.class);
		Task task = find(carried, Task.class);
		ObjectNode out = JsonNodeFactory.instance.objectNode();
		out.put("event", said.getReasonCode().stream().flatMap(cc -> cc.getCoding().stream()).filter(c -> FEEDBACK_EVENTS.equals(c.getSystem()))
				.map(Coding::getCode).findFirst().orElse(null));
		out.put("resource", "Communication/" + said.getIdElement().getIdPart());
		out.put("referral", said.getBasedOnFirstRep().getReference());
		if (task != null) {
			out.put("task", "Task/" + task.getIdElement().getIdPart());
		}
		out.put("at", new InstantType(carried.getTimestamp()).getValueAsString());
		return out.toString();
	}

	/** Feedback, id-only, as the backport's notification Bundle focusing the Communication. */
	String feedbackBundle(PartnerDefinition partner, Bundle carried) {
		Communication said = find(carried, Communication.class);
		Bundle notice = bundle(partner, FEEDBACK_TOPIC, "Communication/" + said.getIdElement().getIdPart(), carried.getTimestamp());
		return fhirContext.newJsonParser().encodeResourceToString(notice);
	}

	/** A referral's Task changed, id-only, as plain JSON. */
	String notificationJson(String event, Task task, Date at) {
		ObjectNode out = JsonNodeFactory.instance.objectNode();
		out.put("event", event);
		out.put("resource", "Task/" + task.getIdElement().getIdPart());
		out.put("referral", task.getFocus().getReference());
		out.put("task", "Task/" + task.getIdElement().getIdPart());
		out.put("at", new InstantType(at).getValueAsString());
		return out.toString();
	}

	/** A referral's Task changed, id-only, as the backport's notification Bundle focusing the Task. */
	String notificationBundle(PartnerDefinition partner, Task task, Date at) {
		return fhirContext.newJsonParser().encodeResourceToString(bundle(partner, NOTIFICATION_TOPIC, "Task/" + task.getIdElement().getIdPart(), at));
	}

	private Bundle bundle(PartnerDefinition partner, String topic, String focus, Date at) {
		Parameters status = new Parameters();
		status.setId(UUID.randomUUID().toString());
		status.addParameter().setName("subscription").setValue(new Reference().setDisplay(partner.outboxChannel() + " (" + partner.name() + ")"));
		status.addParameter().setName("topic").setValue(new CanonicalType(topic));
		status.addParameter().setName("status").setValue(new CodeType("active"));
		status.addParameter().setName("type").setValue(new CodeType("event-notification"));
		Parameters.ParametersParameterComponent event = status.addParameter().setName("notification-event");
		event.addPart().setName("timestamp").setValue(new InstantType(at));
		event.addPart().setName("focus").setValue(new Reference(base + "/" + focus));
		Bundle bundle = new Bundle().setType(Bundle.BundleType.HISTORY).setTimestamp(at);
		bundle.addEntry().setFullUrl("urn:uuid:" + status.getIdPart()).setResource(status);
		bundle.addEntry().setFullUrl(base + "/" + focus);
		return bundle;
	}

	private static <T extends Resource> T find(Bundle carried, Class<T> type) {
		return carried.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance).map(type::cast).findFirst()
				.orElse(null);
	}
}
