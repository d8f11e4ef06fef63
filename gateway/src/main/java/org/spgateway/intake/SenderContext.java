package org.spgateway.intake;

import ca.uhn.fhir.context.FhirContext;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;

/**
 * The resources of the sender's own workflow in a BaRS message: its Task, Encounter, CarePlan,
 * Conditions, Observations, MedicationStatements, QuestionnaireResponses, Flags, Consent, RelatedPersons,
 * Locations and any ServiceRequest other than the referral. They are context for the referral:
 * validated against the base specification and their own declared profiles only, stored as sent (past
 * any write handler of their type), tagged sender-context and listed in the referral's supportingInfo
 * when it does not already refer to them.
 *
 * <p>A sender's Task is never the gateway's referral Task: it keeps the owner the sender gave it in the
 * sp-sender-owner extension instead of Task.owner, so that it cannot appear in any provider's work
 * queue ({@code Task?owner=...}), and a focus on the referral in sp-sender-focus.
 */
final class SenderContext {

	static final String RECORD_KIND = "https://spgateway.org/fhir/CodeSystem/sp-record-kind";
	static final String SENDER_CONTEXT = "sender-context";
	static final String SENDER_OWNER = "https://spgateway.org/fhir/StructureDefinition/sp-sender-owner";
	static final String SENDER_FOCUS = "https://spgateway.org/fhir/StructureDefinition/sp-sender-focus";
	/**
	 * The types a sender's context may be. Stored past their write handlers, so never a type whose handler
	 * guards something of the gateway's own (a Subscription, a Questionnaire the outcome catalogue reads,
	 * a Provenance or AuditEvent, a Communication it sends): a message's entries of those are not kept.
	 */
	private static final Set<String> CONTEXT_TYPES = Set.of("Task", "Encounter", "CarePlan", "Condition", "Observation", "MedicationStatement",
			"QuestionnaireResponse", "Flag", "Consent", "RelatedPerson", "Location", "ServiceRequest");
	/** Matched to what the gateway holds (NHS number, ODS code, DoS id, SDS id) through their own write handlers. */
	private static final Set<String> MATCHED = Set.of("Patient", "Organization", "Practitioner", "PractitionerRole", "HealthcareService",
			"Endpoint");

	private SenderContext() {}

	/** Whether this entry of the message is the sender's context for {@code referral}. */
	static boolean isContext(Resource resource, ServiceRequest referral) {
		return resource != null && resource != referral && CONTEXT_TYPES.contains(resource.fhirType());
	}

	/** Whether the gateway keeps a message entry of this type at all: the referral, the person, the directory and the sender's context. */
	static boolean isKept(String type) {
		return CONTEXT_TYPES.contains(type) || MATCHED.contains(type);
	}

	/** Whether resources of this type in a message are the sender's context (a ServiceRequest is, unless it is the referral). */
	static boolean isContextType(String type) {
		return CONTEXT_TYPES.contains(type) && !"ServiceRequest".equals(type);
	}

	/**
	 * Tags the resource. A sender's Task keeps its owner in the sp-sender-owner extension, and a focus on the
	 * referral itself ({@code referralUrl}) in sp-sender-focus: Task.owner and Task.focus are how providers and
	 * the gateway find the referral's own Task ({@code Task?owner=...}, {@code Task?focus=ServiceRequest/[id]}).
	 */
	static void mark(Resource resource, String referralUrl) {
		if (resource.getMeta().getTag(RECORD_KIND, SENDER_CONTEXT) == null) {
			resource.getMeta().addTag(RECORD_KIND, SENDER_CONTEXT, "Sender's context");
		}
		if (resource instanceof Task task) {
			if (task.hasOwner()) {
				task.addExtension(SENDER_OWNER, task.getOwner());
				task.setOwner(null);
			}
			if (task.hasFocus() && referralUrl.equals(task.getFocus().getReference())) {
				task.addExtension(SENDER_FOCUS, task.getFocus());
				task.setFocus(null);
			}
		}
	}

	static boolean isMarked(Resource resource) {
		return resource.getMeta().getTag(RECORD_KIND, SENDER_CONTEXT) != null;
	}

	/**
	 * Adds to the referral's supportingInfo each sender's-context entry it does not already refer to
	 * (basedOn, encounter, reasonReference, supportingInfo ...), in message order, so that whoever reads
	 * the referral finds everything the sender sent with it. {@code alreadyStored} maps an entry's fullUrl
	 * to the stored resource it is (an update's unchanged context), which the referral may refer to already.
	 */
	static void listAsSupportingInfo(FhirContext fhirContext, Bundle message, ServiceRequest referral, Set<String> notKept,
			Map<String, String> alreadyStored) {
		Set<String> referred = new HashSet<>();
		// Through JSON: the parser links references to the other entries' resources, and walking those links would
		// count what the referral's CarePlan refers to as referred to by the referral.
		ServiceRequest own = (ServiceRequest) fhirContext.newJsonParser()
				.parseResource(fhirContext.newJsonParser().encodeResourceToString(referral));
		for (Reference ref : fhirContext.newTerser().getAllPopulatedChildElementsOfType(own, Reference.class)) {
			if (ref.hasReference()) {
				referred.add(ref.getReference());
			}
		}
		List<BundleEntryComponent> entries = message.getEntry();
		for (int i = 1; i < entries.size(); i++) {
			BundleEntryComponent entry = entries.get(i);
			if (entry.hasFullUrl() && isContext(entry.getResource(), referral) && !referred.contains(entry.getFullUrl())
					&& !referred.contains(alreadyStored.get(entry.getFullUrl())) && !notKept.contains(entry.getFullUrl())) {
				referral.addSupportingInfo(new Reference(entry.getFullUrl()).setDisplay(describe(entry.getResource())));
				referred.add(entry.getFullUrl());
			}
		}
	}

	private static String describe(Resource resource) {
		return "Sent with the referral: " + resource.fhirType();
	}
}
