package org.spgateway.feedback;

import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StringType;
import org.spgateway.directory.DirectoryOrganization;
import org.spgateway.directory.ServiceDirectory;
import org.spgateway.resources.ResourceService;
import org.spgateway.security.AccessScope;
import org.spgateway.security.HeaderSecretRecords;
import org.spgateway.store.LocalReference;
import org.spgateway.store.StoredResource;

/**
 * Finds a referral's feedback route: the referring organisation (through the requesting
 * PractitionerRole; for a self-referral, the person's registered practice) and the first active
 * Endpoint it lists that the gateway can deliver to (BaRS messaging first, then FHIR REST).
 */
final class FeedbackRoutes {

	private final ResourceService resources;
	private final ServiceDirectory directory;
	private final HeaderSecretRecords secrets;

	FeedbackRoutes(ResourceService resources, ServiceDirectory directory, HeaderSecretRecords secrets) {
		this.resources = resources;
		this.directory = directory;
		this.secrets = secrets;
	}

	FeedbackRoute of(ServiceRequest referral) {
		Reference requester = referral.getRequester();
		Reference organisation = organisationOf(requester);
		if (organisation == null) {
			return FeedbackRoute.polling(requester, null);
		}
		Organization org = read(organisation, Organization.class).orElse(null);
		Endpoint best = null;
		if (org != null) {
			for (Reference ref : org.getEndpoint()) {
				Endpoint e = read(ref, Endpoint.class).orElse(null);
				if (e == null || e.getStatus() != Endpoint.EndpointStatus.ACTIVE || !e.hasAddress()) {
					continue;
				}
				String kind = e.getConnectionType().getCode();
				if (FeedbackRoute.MESSAGING.equals(kind) && (best == null || !FeedbackRoute.MESSAGING.equals(best.getConnectionType().getCode()))) {
					best = e;
				} else if (FeedbackRoute.REST.equals(kind) && best == null) {
					best = e;
				}
			}
		}
		if (best != null && best.hasHeader()) {
			// The stored Endpoint shows its header values masked; delivery needs the real ones.
			List<String> stored = best.getHeader().stream().map(StringType::getValue).toList();
			List<String> revealed = secrets.reveal("Endpoint", best.getIdElement().getIdPart(), stored);
			best.setHeader(revealed.stream().map(StringType::new).toList());
		}
		Reference recipient = requester.hasReference() && requester.getReference().startsWith("Patient/") ? organisation : requester;
		return best == null ? FeedbackRoute.polling(recipient, organisation) : FeedbackRoute.to(recipient, organisation, best);
	}

	/** The referrer's organisation: itself, its role's organisation, or a self-referrer's registered practice. */
	private Reference organisationOf(Reference requester) {
		LocalReference local = LocalReference.parse(requester.getReference());
		if (local != null && local.type().equals("PractitionerRole")) {
			PractitionerRole role = read(requester, PractitionerRole.class).orElse(null);
			return role == null ? null : known(role.getOrganization());
		}
		if (local != null && local.type().equals("Patient")) {
			Patient patient = read(requester, Patient.class).orElse(null);
			return patient == null || !patient.hasGeneralPractitioner() ? null : known(patient.getGeneralPractitionerFirstRep());
		}
		return known(requester);
	}

	private Reference known(Reference organisation) {
		DirectoryOrganization found = directory.organization(organisation);
		return found == null ? null : found.reference();
	}

	private <T extends Resource> Optional<T> read(Reference ref, Class<T> type) {
		LocalReference local = LocalReference.parse(ref.getReference());
		if (local == null) {
			return Optional.empty();
		}
		Optional<StoredResource> stored = resources.isReadOnly(local.type()) ? Optional.empty()
				: Optional.ofNullable(readQuietly(local.type(), local.id()));
		return stored.map(resources::toResource).filter(type::isInstance).map(type::cast);
	}

	private StoredResource readQuietly(String type, String id) {
		try {
			return resources.read(type, id, AccessScope.UNRESTRICTED);
		} catch (ResourceNotFoundException e) {
			return null;
		}
	}
}
