package org.spgateway.access;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.FhirTerser;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.spgateway.security.AccessTypes;
import org.spgateway.store.LocalReference;

/**
 * Which organisations may see a resource, derived from the referral graph. The one place that decides it:
 *
 * <ul>
 * <li>a referral (ServiceRequest): its requester's organisation and the organisation that provides each
 * performer service (for an onward referral: the provider that made it and the community group); the
 * resources it references (the person, reasons, supporting information) are shared with the same organisations,
 * which is how a Patient comes to be seen by every organisation of every referral about them;</li>
 * <li>a Task: whatever its referral (focus) grants, plus its owner and requester; its inputs and outputs are
 * shared with them;</li>
 * <li>a Subscription: its owner only (the organisations of the client that wrote it);</li>
 * <li>an Endpoint: its managing organisation;</li>
 * <li>anything else (outcomes, feedback Communications, Provenance, DocumentReference ...): the organisations of
 * the referrals and Tasks it references; when it references none, those of the other clinical resources it
 * references (a QuestionnaireResponse, an Encounter, the Patient);</li>
 * <li>every resource: also the organisations of the client that wrote it.</li>
 * </ul>
 *
 * Public types (the directory and conformance resources) need no rows: every authenticated caller reads them.
 */
public final class ResourceAccess {

	/** What the referral graph cannot say on its own: which organisations a reference stands for. */
	public interface Lookups {

		/**
		 * The organisation keys ({@code system|value}) a reference names: an Organization (by id or identifier), the
		 * organisation providing a HealthcareService, the organisation of a PractitionerRole; empty for anything else.
		 */
		Set<String> organisationsOf(Reference reference);
	}

	/**
	 * The access a stored version gives.
	 *
	 * @param organisations the organisation keys granted directly
	 * @param inheritFrom {@code Type/id} of resources whose organisations this one also gets
	 * @param shareWith {@code Type/id} of resources that get this one's organisations (direct and inherited)
	 */
	public record Grants(Set<String> organisations, Set<String> inheritFrom, Set<String> shareWith) {

		public boolean isEmpty() {
			return organisations.isEmpty() && inheritFrom.isEmpty() && shareWith.isEmpty();
		}
	}

	private static final Set<String> ANCHORS = Set.of("ServiceRequest", "Task");
	private static final Set<String> NOT_INHERITED = Set.of("Organization", "HealthcareService", "Location", "Practitioner", "PractitionerRole",
			"Endpoint", "Subscription", "Questionnaire", "StructureDefinition", "CodeSystem", "ValueSet", "ConceptMap", "StructureMap",
			"SearchParameter", "OperationDefinition", "ImplementationGuide", "Device");

	private final FhirContext fhirContext;
	private final Lookups lookups;

	public ResourceAccess(FhirContext fhirContext, Lookups lookups) {
		this.fhirContext = fhirContext;
		this.lookups = lookups;
	}

	/** Whether resources of this type are readable by every authenticated caller, so nothing is recorded for them. */
	public static boolean isPublic(String type) {
		return AccessTypes.AUTHENTICATED.contains(type);
	}

	/** The organisation keys a reference stands for (see {@link Lookups#organisationsOf}). */
	public Set<String> organisationsOf(Reference reference) {
		return lookups.organisationsOf(reference);
	}

	/** The grants of {@code resource}, written by a client acting for {@code writer} (organisation keys; empty when unknown). */
	public Grants derive(Resource resource, Set<String> writer) {
		String type = resource.fhirType();
		Set<String> organisations = new LinkedHashSet<>(writer);
		Set<String> inherit = new LinkedHashSet<>();
		Set<String> share = new LinkedHashSet<>();
		if (isPublic(type)) {
			return new Grants(Set.of(), Set.of(), Set.of());
		}
		if (resource instanceof ServiceRequest referral) {
			organisations.addAll(lookups.organisationsOf(referral.getRequester()));
			referral.getPerformer().forEach(p -> organisations.addAll(lookups.organisationsOf(p)));
			addLocal(share, referral.getSubject());
			referral.getReasonReference().forEach(r -> addLocal(share, r));
			referral.getSupportingInfo().forEach(r -> addLocal(share, r));
		} else if (resource instanceof Task task) {
			organisations.addAll(lookups.organisationsOf(task.getOwner()));
			organisations.addAll(lookups.organisationsOf(task.getRequester()));
			addLocal(inherit, task.getFocus());
			addLocal(share, task.getFor());
			task.getInput().forEach(i -> addLocal(share, i.getValue()));
			task.getOutput().forEach(o -> addLocal(share, o.getValue()));
		} else if (resource instanceof Endpoint endpoint) {
			organisations.addAll(lookups.organisationsOf(endpoint.getManagingOrganization()));
		} else if (!"Subscription".equals(type)) {
			inherit.addAll(anchorsOf(resource));
		}
		inherit.remove(type + "/" + resource.getIdElement().getIdPart());
		share.remove(type + "/" + resource.getIdElement().getIdPart());
		return new Grants(organisations, inherit, share);
	}

	/** The referrals and Tasks a resource references; when none, the other clinical resources it references. */
	private List<String> anchorsOf(Resource resource) {
		FhirTerser terser = fhirContext.newTerser();
		Set<String> anchors = new LinkedHashSet<>();
		Set<String> others = new LinkedHashSet<>();
		for (Reference reference : terser.getAllPopulatedChildElementsOfType(resource, Reference.class)) {
			LocalReference local = LocalReference.parse(reference.getReference());
			if (local == null || NOT_INHERITED.contains(local.type())) {
				continue;
			}
			(ANCHORS.contains(local.type()) ? anchors : others).add(local.versionless());
		}
		return List.copyOf(anchors.isEmpty() ? others : anchors);
	}

	private static void addLocal(Set<String> into, Object value) {
		if (value instanceof Reference reference) {
			LocalReference local = LocalReference.parse(reference.getReference());
			if (local != null && !NOT_INHERITED.contains(local.type())) {
				into.add(local.versionless());
			}
		}
	}
}
