package org.spgateway.directory;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.fhir.Outcomes;
import org.spgateway.resources.IncomingResource;
import org.spgateway.resources.ResourceService;
import org.spgateway.resources.ResourceWriteHandler;
import org.spgateway.resources.WriteContext;
import org.spgateway.resources.WriteOutcome;
import org.spgateway.store.LocalReference;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.StoredResource;
import org.spgateway.validation.ValidationIssue;

/**
 * Writes of directory resources (Organization, HealthcareService, Practitioner, PractitionerRole),
 * whichever way they arrive: NHS identifier systems are stored in their canonical spelling, and a
 * resource whose identifier (ODS code, DoS id, SDS id ...) is already in the directory is matched to
 * the stored one instead of being stored again. A GP system that includes its own Organization and
 * PractitionerRole with every referral therefore never fills the directory with copies. A
 * PractitionerRole without an identifier is matched on its practitioner, organisation and role code.
 */
public class DirectoryRecords implements ResourceWriteHandler {

	private final String type;
	private final FhirContext fhirContext;
	private final ResourceService resources;
	private final ResourceStore store;
	private final ServiceDirectory directory;

	public DirectoryRecords(String type, FhirContext fhirContext, ResourceService resources, ResourceStore store, ServiceDirectory directory) {
		this.type = type;
		this.fhirContext = fhirContext;
		this.resources = resources;
		this.store = store;
		this.directory = directory;
	}

	@Override
	public String resourceType() {
		return type;
	}

	@Override
	public WriteOutcome create(IncomingResource incoming, String ifNoneExist, WriteContext context) {
		Resource resource = incoming.resource();
		prepare(resource);
		StoredResource existing = match(resource, context);
		if (existing != null) {
			List<ValidationIssue> issues = new ArrayList<>(incoming.warnings());
			issues.add(new ValidationIssue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, type + " " + describe(resource)
					+ " is already in the directory as " + existing.versionlessId() + "; it was not stored again", type));
			return new WriteOutcome(existing, resources.toResource(existing), false, false, issues);
		}
		return resources.createNow(resource, incoming.newId(), incoming.warnings());
	}

	@Override
	public WriteOutcome update(String id, IncomingResource incoming, Integer expectedVersion, WriteContext context) {
		Resource resource = incoming.resource();
		prepare(resource);
		List<Identifier> identifiers = identifiers(resource);
		if (!identifiers.isEmpty()) {
			for (StoredResource other : byIdentifier(identifiers)) {
				if (!other.id().equals(id)) {
					throw new ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException(type + " " + describe(resource)
							+ " has an identifier that " + other.versionlessId() + " already has; one directory entry per identifier",
							Outcomes.single(IssueSeverity.ERROR, IssueType.DUPLICATE, type + " " + describe(resource) + " has an identifier that "
									+ other.versionlessId() + " already has; one directory entry per identifier", type + ".identifier"));
				}
			}
		}
		return resources.updateDirect(type, id, new IncomingResource(resource, incoming.warnings(), id, incoming.method()), expectedVersion);
	}

	@Override
	public StoredResource findExisting(Resource resource, String ifNoneExist, WriteContext context) {
		NhsIdentifiers.normalize(fhirContext, resource);
		return match(resource, context);
	}

	/** Canonical identifier systems, and for a HealthcareService the checks the directory will make when it reads it. */
	private void prepare(Resource resource) {
		NhsIdentifiers.normalize(fhirContext, resource);
		if (resource instanceof HealthcareService hs) {
			try {
				directory.check(hs);
			} catch (ServiceDirectory.DirectoryException e) {
				throw Outcomes.unprocessable("This HealthcareService cannot be used for referrals: " + e.getMessage(), e.expression());
			}
		}
	}

	private StoredResource match(Resource resource, WriteContext context) {
		List<Identifier> identifiers = identifiers(resource);
		if (!identifiers.isEmpty()) {
			// Two referrals bringing the same new organisation at once must not both store it.
			store.lock(type + "|" + identifiers.get(0).getSystem() + "|" + identifiers.get(0).getValue());
			List<StoredResource> found = byIdentifier(identifiers);
			return found.isEmpty() ? null : found.get(0);
		}
		if (resource instanceof PractitionerRole role) {
			return matchRole(role, context);
		}
		return null;
	}

	private List<StoredResource> byIdentifier(List<Identifier> identifiers) {
		StringBuilder criteria = new StringBuilder("identifier=");
		for (int i = 0; i < identifiers.size(); i++) {
			Identifier id = identifiers.get(i);
			criteria.append(i == 0 ? "" : ",").append(escape(id.getSystem() == null ? "" : id.getSystem())).append('|').append(escape(id.getValue()));
		}
		return resources.matchAll(type, urlEncode(criteria.toString()), 2);
	}

	/** A role without identifiers is the same role when practitioner, organisation and role codes are the same. */
	private StoredResource matchRole(PractitionerRole role, WriteContext context) {
		String practitioner = storedId("Practitioner", role.getPractitioner(), context);
		String organization = storedId("Organization", role.getOrganization(), context);
		if (practitioner == null || organization == null) {
			return null;
		}
		store.lock("PractitionerRole|" + practitioner + "|" + organization);
		List<StoredResource> candidates = resources.matchAll("PractitionerRole",
				"practitioner=Practitioner/" + practitioner + "&organization=Organization/" + organization, 50);
		Set<String> codes = codes(role);
		for (StoredResource candidate : candidates) {
			PractitionerRole stored = (PractitionerRole) resources.toResource(candidate);
			if (stored.getIdentifier().isEmpty() && codes(stored).equals(codes)) {
				return candidate;
			}
		}
		return null;
	}

	/** The stored id a reference points to: a stored literal, an entry of the Bundle matched to the directory, or an identifier. */
	private String storedId(String targetType, Reference ref, WriteContext context) {
		if (ref == null || ref.isEmpty()) {
			return null;
		}
		Resource inBundle = context.bundleResource(ref.getReference());
		List<Identifier> identifiers;
		if (inBundle != null) {
			identifiers = identifiers(inBundle);
		} else {
			LocalReference local = LocalReference.parse(ref.getReference());
			if (local != null && local.type().equals(targetType)) {
				return store.exists(targetType, local.id()) ? local.id() : null;
			}
			identifiers = ref.hasIdentifier() && ref.getIdentifier().hasValue() ? List.of(NhsIdentifiers.normalize(ref.getIdentifier().copy())) : List.of();
		}
		if (identifiers.isEmpty()) {
			return null;
		}
		if (targetType.equals("Organization")) {
			for (Identifier i : identifiers) {
				DirectoryOrganization org = directory.organizationByIdentifier(i.getSystem(), i.getValue());
				if (org != null) {
					return org.id();
				}
			}
		}
		StringBuilder criteria = new StringBuilder("identifier=");
		for (int i = 0; i < identifiers.size(); i++) {
			criteria.append(i == 0 ? "" : ",").append(escape(identifiers.get(i).getSystem() == null ? "" : identifiers.get(i).getSystem()))
					.append('|').append(escape(identifiers.get(i).getValue()));
		}
		List<StoredResource> found = resources.matchAll(targetType, urlEncode(criteria.toString()), 1);
		return found.isEmpty() ? null : found.get(0).id();
	}

	private static Set<String> codes(PractitionerRole role) {
		Set<String> codes = new LinkedHashSet<>();
		role.getCode().forEach(cc -> cc.getCoding().forEach((Coding c) -> codes.add(c.getSystem() + "|" + c.getCode())));
		return codes;
	}

	static List<Identifier> identifiers(Resource resource) {
		List<Identifier> source = switch (resource.fhirType()) {
			case "Organization" -> ((org.hl7.fhir.r4.model.Organization) resource).getIdentifier();
			case "HealthcareService" -> ((HealthcareService) resource).getIdentifier();
			case "Practitioner" -> ((Practitioner) resource).getIdentifier();
			case "PractitionerRole" -> ((PractitionerRole) resource).getIdentifier();
			default -> List.of();
		};
		Map<String, Identifier> distinct = new HashMap<>();
		List<Identifier> result = new ArrayList<>();
		for (Identifier i : source) {
			if (i.hasValue() && i.hasSystem() && distinct.putIfAbsent(i.getSystem() + "|" + i.getValue(), i) == null) {
				result.add(i);
			}
		}
		return result;
	}

	private static String describe(Resource resource) {
		List<Identifier> ids = identifiers(resource);
		if (ids.isEmpty()) {
			return resource.getIdElement().hasIdPart() ? resource.getIdElement().getIdPart() : "(no identifier)";
		}
		Identifier first = ids.get(0);
		String what = switch (first.getSystem()) {
			case NhsIdentifiers.ODS_ORGANIZATION -> "with ODS code ";
			case NhsIdentifiers.DOS_SERVICE -> "with DoS id ";
			case NhsIdentifiers.SDS_USER -> "with SDS user id ";
			case NhsIdentifiers.SDS_ROLE_PROFILE -> "with SDS role profile id ";
			default -> "with identifier " + first.getSystem() + "|";
		};
		return what + first.getValue();
	}

	private static String escape(String value) {
		return value.replace("\\", "\\\\").replace(",", "\\,");
	}

	private static String urlEncode(String criteria) {
		int eq = criteria.indexOf('=');
		return criteria.substring(0, eq + 1) + java.net.URLEncoder.encode(criteria.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
	}
}
