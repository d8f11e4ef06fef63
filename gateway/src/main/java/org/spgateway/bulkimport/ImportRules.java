package org.spgateway.bulkimport;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.spgateway.access.ResourceAccess;
import org.spgateway.store.LocalReference;
import org.spgateway.validation.ValidationIssue;

/**
 * What a caseload import asks of each line beyond validation: its references resolve (to what the job stores before it,
 * or holds in a later file, or what the caller may already see), and a provider imports only its own caseload. Pure
 * rules over what the caller has looked up: the problems found, with the FHIRPath of each, none thrown.
 */
final class ImportRules {

	/** What the rules need to know about the store and the job. */
	interface Known {

		/** Whether a {@code Type/id} is stored and visible to the caller, or stored by this batch. */
		boolean stored(String type, String id);

		/** Whether the job holds {@code Type/id} in one of its files. */
		boolean inJob(String type, String id);
	}

	private final ResourceAccess access;

	ImportRules(ResourceAccess access) {
		this.access = access;
	}

	/** Every local reference of a resource, by the FHIRPath of the element that holds it (contained resources left out). */
	static Map<String, LocalReference> references(Resource resource) {
		Map<String, LocalReference> found = new LinkedHashMap<>();
		walk(resource, resource.fhirType(), found);
		return found;
	}

	private static void walk(Base element, String path, Map<String, LocalReference> found) {
		if (element instanceof Reference reference) {
			LocalReference local = LocalReference.parse(reference.getReference());
			if (local != null) {
				found.putIfAbsent(path, local);
			}
		}
		for (Property property : element.children()) {
			if (!property.hasValues() || "contained".equals(property.getName())) {
				continue;
			}
			String name = property.getName().replace("[x]", "");
			List<Base> values = property.getValues();
			for (int i = 0; i < values.size(); i++) {
				Base value = values.get(i);
				if (value == null || value.isPrimitive()) {
					continue;
				}
				walk(value, path + "." + name + (property.getMaxCardinality() > 1 ? "[" + i + "]" : ""), found);
			}
		}
	}

	/**
	 * The problems of one line's references. A reference to a type whose file comes earlier in the job must be stored (a
	 * refused Patient leaves the referrals about it refused too); one to a type stored later may be in the job.
	 */
	List<ValidationIssue> unresolved(Resource resource, Map<String, LocalReference> references, Known known) {
		List<ValidationIssue> problems = new ArrayList<>();
		int own = ImportTypes.rank(resource.fhirType());
		for (Map.Entry<String, LocalReference> e : references.entrySet()) {
			LocalReference target = e.getValue();
			if (known.stored(target.type(), target.id())) {
				continue;
			}
			boolean later = ImportTypes.importable(target.type()) && ImportTypes.rank(target.type()) >= own;
			if (later && known.inJob(target.type(), target.id())) {
				continue;
			}
			problems.add(ValidationIssue.error(IssueType.NOTFOUND, target.versionless() + " is neither stored (or not visible to you) nor "
					+ (later ? "in this job's inputs" : "imported by this job (was its line refused?)")
					+ ": every reference must resolve within the job or the store", e.getKey()));
		}
		return problems;
	}

	/**
	 * A provider imports its own caseload: its Tasks are owned by its organisation, and its referrals are for its
	 * services. Empty {@code callerKeys}: a caller not bound to organisations (a tester in sandbox mode), no check.
	 */
	List<ValidationIssue> ownership(Resource resource, Set<String> callerKeys) {
		if (callerKeys.isEmpty()) {
			return List.of();
		}
		List<ValidationIssue> problems = new ArrayList<>();
		if (resource instanceof Task task && !ownedBy(task.getOwner(), callerKeys)) {
			problems.add(ValidationIssue.error(IssueType.FORBIDDEN, "A provider imports its own caseload: Task.owner must be your organisation",
					"Task.owner"));
		}
		if (resource instanceof ServiceRequest referral) {
			for (int i = 0; i < referral.getPerformer().size(); i++) {
				if (!ownedBy(referral.getPerformer().get(i), callerKeys)) {
					problems.add(ValidationIssue.error(IssueType.FORBIDDEN, "A provider imports its own caseload: this performer is not one of"
							+ " your organisation's services", "ServiceRequest.performer[" + i + "]"));
				}
			}
		}
		return problems;
	}

	private boolean ownedBy(Reference reference, Set<String> callerKeys) {
		return !Collections.disjoint(access.organisationsOf(reference), callerKeys);
	}
}
