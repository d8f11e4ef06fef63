package org.spgateway.intake;

import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.spgateway.directory.DirectoryOrganization;
import org.spgateway.directory.ServiceDirectory;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.resources.ResourceService;
import org.spgateway.resources.WriteContext;
import org.spgateway.store.LocalReference;
import org.spgateway.store.StoredResource;

/**
 * Finds what a referral refers to, wherever it is: a contained resource, another entry of the same
 * transaction or message (by fullUrl or by the id the entry will be stored as), a stored resource, or a
 * logical reference (identifier only) matched through the directory or the store. Lookups are
 * remembered for the request, so a resource is read at most once.
 */
final class ReferralResolver {

	/** A referenced resource and the id it has or will have in the store (null when it has none yet). */
	record Found(Resource resource, String storedId) {

		String literal() {
			return storedId == null ? null : resource.fhirType() + "/" + storedId;
		}
	}

	private final ResourceService resources;
	private final ServiceDirectory directory;
	private final WriteContext context;
	private final ServiceRequest request;
	private final Map<String, Found> memo = new HashMap<>();

	ReferralResolver(ResourceService resources, ServiceDirectory directory, WriteContext context, ServiceRequest request) {
		this.resources = resources;
		this.directory = directory;
		this.context = context;
		this.request = request;
	}

	/** The resource a reference points at, or null when it cannot be found (logical references are not searched here). */
	Found resolve(Reference ref) {
		if (ref == null || !ref.hasReference()) {
			return null;
		}
		String value = ref.getReference();
		if (memo.containsKey(value)) {
			return memo.get(value);
		}
		Found found = lookUp(value);
		memo.put(value, found);
		return found;
	}

	private Found lookUp(String value) {
		if (value.startsWith("#")) {
			for (Resource contained : request.getContained()) {
				if (value.substring(1).equals(contained.getIdElement().getIdPart())) {
					return new Found(contained, null);
				}
			}
			return null;
		}
		Resource inBundle = context.bundleResource(value);
		LocalReference local = LocalReference.parse(value);
		if (inBundle != null) {
			return new Found(inBundle, local != null ? local.id() : null);
		}
		if (local != null) {
			try {
				StoredResource stored = resources.read(local.type(), local.id(), context.scope());
				return new Found(resources.toResource(stored), stored.id());
			} catch (ResourceNotFoundException e) {
				return null;
			}
		}
		return null;
	}

	/** A literal reference's resource type, or the type of the entry it points at, or Reference.type. */
	String typeOf(Reference ref) {
		LocalReference local = LocalReference.parse(ref.getReference());
		if (local != null) {
			return local.type();
		}
		Resource inBundle = context.bundleResource(ref.getReference());
		if (inBundle != null) {
			return inBundle.fhirType();
		}
		if (ref.getReference() != null && ref.getReference().startsWith("#")) {
			Found contained = resolve(ref);
			if (contained != null) {
				return contained.resource().fhirType();
			}
		}
		return ref.hasType() ? ref.getType() : null;
	}

	/** The person referred: by reference, or by NHS number (stored record, or a Patient entry of this Bundle). */
	Found patient(Reference subject) {
		Found found = resolve(subject);
		if (found != null) {
			return found.resource() instanceof Patient ? found : null;
		}
		if (subject != null && subject.hasIdentifier() && NhsIdentifiers.is(subject.getIdentifier().getSystem(), NhsIdentifiers.NHS_NUMBER)) {
			String nhs = subject.getIdentifier().getValue() == null ? null : subject.getIdentifier().getValue().replace(" ", "");
			for (Map.Entry<String, Resource> e : context.bundleResources().entrySet()) {
				if (e.getValue() instanceof Patient p && nhs != null && nhs.equals(NhsIdentifiers.valueOf(p.getIdentifier(), NhsIdentifiers.NHS_NUMBER))) {
					LocalReference local = LocalReference.parse(e.getKey());
					if (local != null) {
						return new Found(p, local.id());
					}
				}
			}
			List<StoredResource> stored = resources.matchAll("Patient", "identifier=" + URLEncoder.encode(NhsIdentifiers.NHS_NUMBER + "|" + nhs,
					StandardCharsets.UTF_8), 2);
			if (stored.size() == 1) {
				return new Found(resources.toResource(stored.get(0)), stored.get(0).id());
			}
		}
		return null;
	}

	/** An organisation, by reference (entry, stored, directory) or identifier; null when none can be found. */
	Organisation organisation(Reference ref) {
		if (ref == null || ref.isEmpty()) {
			return null;
		}
		Found found = resolve(ref);
		if (found != null && found.resource() instanceof Organization org) {
			String ods = NhsIdentifiers.valueOf(org.getIdentifier(), NhsIdentifiers.ODS_ORGANIZATION);
			DirectoryOrganization known = ods != null ? directory.organizationByIdentifier(NhsIdentifiers.ODS_ORGANIZATION, ods) : null;
			if (known == null && found.storedId() != null) {
				known = directory.organization(found.storedId());
			}
			List<Coding> kinds = new ArrayList<>();
			org.getType().forEach(t -> kinds.addAll(t.getCoding()));
			if (known != null && kinds.isEmpty()) {
				kinds.addAll(known.kinds());
			}
			Identifier key = ods != null ? new Identifier().setSystem(NhsIdentifiers.ODS_ORGANIZATION).setValue(ods)
					: known != null ? known.key() : firstIdentifier(org.getIdentifier());
			String id = known != null ? known.id() : found.storedId();
			return new Organisation(id, ods, key, org.hasName() ? org.getName() : known != null ? known.name() : null, kinds);
		}
		DirectoryOrganization known = directory.organization(ref);
		if (known != null) {
			return new Organisation(known.id(), known.ods(), known.key(), known.name(), known.kinds());
		}
		if (ref.hasIdentifier() && NhsIdentifiers.is(ref.getIdentifier().getSystem(), NhsIdentifiers.ODS_ORGANIZATION) && ref.getIdentifier().hasValue()) {
			String ods = ref.getIdentifier().getValue().trim();
			return new Organisation(null, ods, new Identifier().setSystem(NhsIdentifiers.ODS_ORGANIZATION).setValue(ods), ref.getDisplay(), List.of());
		}
		return null;
	}

	/** The organisation a PractitionerRole works for. */
	Organisation organisationOf(PractitionerRole role) {
		return organisation(role.getOrganization());
	}

	/** Conditions, Consents and Flags the referral refers to (reasonReference, supportingInfo). */
	<T extends Resource> List<T> referenced(Class<T> type) {
		List<T> found = new ArrayList<>();
		List<Reference> refs = new ArrayList<>(request.getReasonReference());
		refs.addAll(request.getSupportingInfo());
		for (Reference ref : refs) {
			Found f = resolve(ref);
			if (f != null && type.isInstance(f.resource()) && !found.contains(type.cast(f.resource()))) {
				found.add(type.cast(f.resource()));
			}
		}
		return found;
	}

	/** Consents and Flags sent alongside the referral in the same Bundle, about the same person, that it does not refer to. */
	<T extends Resource> List<T> alongside(Class<T> type, List<T> already) {
		List<T> found = new ArrayList<>(already);
		for (Resource r : new java.util.LinkedHashSet<>(context.bundleResources().values())) {
			if (type.isInstance(r) && !found.contains(type.cast(r))) {
				found.add(type.cast(r));
			}
		}
		return found;
	}

	/** Conditions, with those addressed by the CarePlans the referral is basedOn (how BaRS referrals say why). */
	List<Condition> conditions() {
		List<Condition> found = referenced(Condition.class);
		for (Condition c : planned()) {
			if (!found.contains(c)) {
				found.add(c);
			}
		}
		return found;
	}

	/** The Conditions addressed by the CarePlans the referral is basedOn. */
	List<Condition> planned() {
		List<Condition> found = new ArrayList<>();
		for (Reference basedOn : request.getBasedOn()) {
			Found plan = resolve(basedOn);
			if (plan != null && plan.resource() instanceof CarePlan carePlan) {
				for (Reference addressed : carePlan.getAddresses()) {
					Found f = resolve(addressed);
					if (f != null && f.resource() instanceof Condition c && !found.contains(c)) {
						found.add(c);
					}
				}
			}
		}
		return found;
	}

	List<Consent> consents() {
		return alongside(Consent.class, referenced(Consent.class));
	}

	List<Flag> flags() {
		return alongside(Flag.class, referenced(Flag.class));
	}

	private static Identifier firstIdentifier(List<Identifier> identifiers) {
		for (Identifier i : identifiers) {
			if (i.hasSystem() && i.hasValue()) {
				return NhsIdentifiers.normalize(i.copy());
			}
		}
		return null;
	}

	/**
	 * An organisation as intake sees it.
	 *
	 * @param id the stored Organization's id, when it has one
	 * @param key the identifier that names it (ODS code where there is one)
	 */
	record Organisation(String id, String ods, Identifier key, String name, List<Coding> kinds) {

		/** What the referral's identifier is unique for: the ODS code, else the organisation's identifier. */
		String referrerKey() {
			if (ods != null) {
				return ods;
			}
			return key == null ? null : key.getSystem() + "|" + key.getValue();
		}

		Reference reference() {
			Reference ref = new Reference();
			if (id != null) {
				ref.setReference("Organization/" + id);
			}
			if (key != null) {
				ref.setIdentifier(key.copy());
			}
			if (name != null) {
				ref.setDisplay(name);
			}
			return ref;
		}

		String label() {
			return (name != null ? name : "Organisation") + (ods != null ? " (" + ods + ")" : "");
		}
	}
}
