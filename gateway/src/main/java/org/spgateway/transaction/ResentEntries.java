package org.spgateway.transaction;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.store.LocalReference;
import org.spgateway.store.StoredResource;

/**
 * Recognises, in a transaction sent again (a retry after a lost answer), the resources that have nothing
 * to find them by: a Condition or Flag without an identifier or ifNoneExist. An entry that was found
 * already stored (a referral received before, a conditional create's match) refers to other entries;
 * its stored copy refers, at the same places, to what was stored the first time. Where such an entry
 * holds exactly what its stored counterpart holds (apart from id and meta), it is that resource: it is
 * answered as found and not stored again. Found entries are followed in turn (their own references).
 *
 * <p>Runs after the transaction's references are rewritten to local ids, so that "exactly what it holds"
 * includes whom it is about: a Condition for another patient is never taken for the stored one.
 *
 * <p>A BaRS update message decides the same question its own way first (intake.BarsMessageTransaction#reusable:
 * anything the stored referral refers to, compared without references), since an update's referral
 * is rewritten, not found; its transaction reaches this with those entries left out and referred to by id.
 */
final class ResentEntries {

	private final FhirContext fhirContext;
	/** Reads a stored resource by type and id, null when there is none (or the caller may not see it). */
	private final BiFunction<String, String, StoredResource> stored;

	ResentEntries(FhirContext fhirContext, BiFunction<String, String, StoredResource> stored) {
		this.fhirContext = fhirContext;
		this.stored = stored;
	}

	/**
	 * Marks the entries recognised as stored before ({@code existing}, {@code id}) and points every
	 * reference to them at the stored resource.
	 */
	void recognise(List<TransactionProcessor.Entry> entries) {
		Map<String, TransactionProcessor.Entry> newByLocal = new HashMap<>();
		Deque<TransactionProcessor.Entry> found = new ArrayDeque<>();
		for (TransactionProcessor.Entry e : entries) {
			if (e.method != HTTPVerb.POST || e.resource == null) {
				continue;
			}
			if (e.existing != null) {
				found.add(e);
			} else if (e.ifNoneExist == null) {
				newByLocal.put(e.type + "/" + e.id, e);
			}
		}
		while (!found.isEmpty() && !newByLocal.isEmpty()) {
			TransactionProcessor.Entry e = found.poll();
			Map<String, Reference> storedReferences = references(parse(e.existing));
			for (Map.Entry<String, Reference> sent : references(e.resource).entrySet()) {
				TransactionProcessor.Entry target = newByLocal.get(sent.getValue().getReference());
				Reference before = storedReferences.get(sent.getKey());
				LocalReference earlier = before == null ? null : LocalReference.parse(before.getReference());
				if (target == null || earlier == null || !earlier.type().equals(target.type)) {
					continue;
				}
				StoredResource candidate = stored.apply(earlier.type(), earlier.id());
				if (candidate != null && sameContent(target.resource, parse(candidate))) {
					newByLocal.remove(target.type + "/" + target.id);
					repoint(entries, target.type + "/" + target.id, target.type + "/" + candidate.id());
					target.existing = candidate;
					target.id = candidate.id();
					target.resent = true;
					found.add(target);
				}
			}
		}
	}

	/** Every reference in a resource, by its path (e.g. {@code reasonReference[0]}). */
	private static Map<String, Reference> references(Base element) {
		Map<String, Reference> found = new LinkedHashMap<>();
		collect(element, "", found);
		return found;
	}

	private static void collect(Base element, String path, Map<String, Reference> found) {
		if (element instanceof Reference reference && reference.hasReference()) {
			found.put(path, reference);
		}
		for (Property property : element.children()) {
			List<Base> values = property.getValues();
			for (int i = 0; i < values.size(); i++) {
				if (values.get(i) != null && !(values.get(i) instanceof Resource)) {
					collect(values.get(i), path + "." + property.getName() + "[" + i + "]", found);
				}
			}
		}
	}

	private static void repoint(List<TransactionProcessor.Entry> entries, String from, String to) {
		for (TransactionProcessor.Entry e : entries) {
			if (e.resource != null) {
				for (Reference reference : new ArrayList<>(references(e.resource).values())) {
					if (from.equals(reference.getReference())) {
						reference.setReference(to);
					}
				}
			}
		}
	}

	private boolean sameContent(Resource sent, Resource stored) {
		return normalised(sent).equalsDeep(normalised(stored));
	}

	/** Without what the store sets (id, version, last updated). */
	private Resource normalised(Resource resource) {
		Resource copy = resource.copy();
		copy.setIdElement(null);
		copy.getMeta().setVersionIdElement(null).setLastUpdatedElement(null);
		if (copy.getMeta().isEmpty()) {
			copy.setMeta(null);
		}
		return copy;
	}

	private Resource parse(StoredResource resource) {
		return (Resource) fhirContext.newJsonParser().parseResource(resource.json());
	}
}
