package org.spgateway.access;

import ca.uhn.fhir.context.FhirContext;
import java.util.LinkedHashSet;
import java.util.Set;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.spgateway.directory.DirectoryOrganization;
import org.spgateway.directory.ServiceDirectory;
import org.spgateway.directory.ServiceListing;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.security.AccessScope;
import org.spgateway.store.LocalReference;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.StoredResource;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Which organisations a reference stands for, answered from the service directory (kept in memory, so a write
 * pays no query for it) and, for a requesting PractitionerRole, its stored resource.
 */
class DirectoryAccessLookups implements ResourceAccess.Lookups {

	private final ObjectProvider<ServiceDirectory> directory;
	private final ResourceStore store;
	private final FhirContext fhirContext;

	DirectoryAccessLookups(ObjectProvider<ServiceDirectory> directory, ResourceStore store, FhirContext fhirContext) {
		this.directory = directory;
		this.store = store;
		this.fhirContext = fhirContext;
	}

	@Override
	public Set<String> organisationsOf(Reference reference) {
		Set<String> keys = new LinkedHashSet<>();
		if (reference == null || reference.isEmpty()) {
			return keys;
		}
		LocalReference local = LocalReference.parse(reference.getReference());
		String type = local != null ? local.type() : reference.getType();
		ServiceDirectory services = directory.getObject();
		if ("HealthcareService".equals(type) || isServiceIdentifier(reference)) {
			ServiceListing service = local != null ? services.service(local.id()) : null;
			if (service == null && reference.hasIdentifier()) {
				service = services.serviceByIdentifier(reference.getIdentifier().getSystem(), reference.getIdentifier().getValue());
			}
			if (service != null) {
				addKeys(keys, service.provider());
			}
			return keys;
		}
		if ("PractitionerRole".equals(type) && local != null) {
			StoredResource stored = store.read("PractitionerRole", local.id(), AccessScope.UNRESTRICTED).orElse(null);
			if (stored != null) {
				keys.addAll(organisationsOf(fhirContext.newJsonParser().parseResource(PractitionerRole.class, stored.json()).getOrganization()));
			}
			return keys;
		}
		if (type == null || "Organization".equals(type)) {
			DirectoryOrganization organisation = services.organization(reference);
			if (organisation != null) {
				addKeys(keys, organisation);
			} else if (reference.hasIdentifier() && reference.getIdentifier().hasSystem() && reference.getIdentifier().hasValue()) {
				keys.add(key(reference.getIdentifier()));
			}
		}
		return keys;
	}

	private static boolean isServiceIdentifier(Reference reference) {
		return reference.hasIdentifier() && NhsIdentifiers.is(reference.getIdentifier().getSystem(), NhsIdentifiers.DOS_SERVICE);
	}

	/** Every identifier of a directory organisation, so a client bound by ODS code or by directory identifier matches. */
	private static void addKeys(Set<String> keys, DirectoryOrganization organisation) {
		if (organisation.ods() != null) {
			keys.add(NhsIdentifiers.ODS_ORGANIZATION + "|" + organisation.ods());
		}
		for (Identifier identifier : organisation.identifiers()) {
			if (identifier.hasSystem() && identifier.hasValue()) {
				keys.add(key(identifier));
			}
		}
	}

	private static String key(Identifier identifier) {
		return NhsIdentifiers.canonicalSystem(identifier.getSystem()) + "|" + identifier.getValue();
	}
}
