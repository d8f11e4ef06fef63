package org.spgateway.intake;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.fhir.Outcomes;
import org.spgateway.resources.IncomingResource;
import org.spgateway.resources.ResourceService;
import org.spgateway.resources.ResourceWriteHandler;
import org.spgateway.resources.WriteContext;
import org.spgateway.resources.WriteOutcome;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.StoredResource;
import org.spgateway.validation.ValidationIssue;

/**
 * Patient writes: one record per NHS number. An incoming Patient whose NHS number the gateway already
 * holds is matched to the stored record (which is reused as it is, not overwritten: the referral links
 * to it), on every path. NHS numbers must pass the Modulus 11 check in any spelling of the system, which
 * is stored canonically. A person without an NHS number (a self-referral) is never matched on
 * demographics: a wrong match would join two people's records.
 */
public class PatientRecords implements ResourceWriteHandler {

	private final FhirContext fhirContext;
	private final ResourceService resources;
	private final ResourceStore store;

	public PatientRecords(FhirContext fhirContext, ResourceService resources, ResourceStore store) {
		this.fhirContext = fhirContext;
		this.resources = resources;
		this.store = store;
	}

	@Override
	public String resourceType() {
		return "Patient";
	}

	@Override
	public WriteOutcome create(IncomingResource incoming, String ifNoneExist, WriteContext context) {
		Patient patient = (Patient) incoming.resource();
		String nhsNumber = prepare(patient);
		if (nhsNumber != null && !checked(context).contains(nhsNumber)) {
			StoredResource existing = byNhsNumber(nhsNumber);
			if (existing != null) {
				List<ValidationIssue> issues = new ArrayList<>(incoming.warnings());
				issues.add(new ValidationIssue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, "The gateway already holds the Patient with this NHS number as "
						+ existing.versionlessId() + "; that record is used and was not changed (update it with PUT)", "Patient.identifier"));
				return new WriteOutcome(existing, resources.toResource(existing), false, false, issues);
			}
		}
		return resources.createNow(patient, incoming.newId(), incoming.warnings());
	}

	@Override
	public WriteOutcome update(String id, IncomingResource incoming, Integer expectedVersion, WriteContext context) {
		Patient patient = (Patient) incoming.resource();
		String nhsNumber = prepare(patient);
		if (nhsNumber != null) {
			StoredResource other = byNhsNumber(nhsNumber);
			if (other != null && !other.id().equals(id)) {
				String message = "NHS number " + nhsNumber + " already belongs to " + other.versionlessId() + "; one Patient per NHS number";
				throw new ResourceVersionConflictException(message, Outcomes.single(IssueSeverity.ERROR, IssueType.DUPLICATE, message, "Patient.identifier"));
			}
		}
		return resources.updateDirect("Patient", id, new IncomingResource(patient, incoming.warnings(), id, incoming.method()), expectedVersion);
	}

	@Override
	public StoredResource findExisting(Resource resource, String ifNoneExist, WriteContext context) {
		// Searched again even after the entry's own If-None-Exist: only a search under the lock is safe
		// against a concurrent referral for the same new person.
		String nhsNumber = prepare((Patient) resource);
		if (nhsNumber == null) {
			return null;
		}
		StoredResource found = byNhsNumber(nhsNumber);
		if (found == null) {
			// Searched under this transaction's lock: create() need not search again.
			checked(context).add(nhsNumber);
		}
		return found;
	}

	@SuppressWarnings("unchecked")
	private static java.util.Set<String> checked(WriteContext context) {
		if (context.request() == null) {
			return new java.util.HashSet<>();
		}
		return (java.util.Set<String>) context.request().getUserData().computeIfAbsent(PatientRecords.class.getName() + ".absent",
				k -> new java.util.HashSet<String>());
	}

	/** The If-None-Exist criteria that find a Patient by NHS number. */
	public static String criteria(String nhsNumber) {
		return "identifier=" + NhsIdentifiers.NHS_NUMBER + "|" + nhsNumber;
	}

	/** Canonical identifiers and a checked NHS number; returns the NHS number, or null when there is none. */
	private String prepare(Patient patient) {
		NhsIdentifiers.normalize(fhirContext, patient);
		for (int i = 0; i < patient.getIdentifier().size(); i++) {
			Identifier id = patient.getIdentifier().get(i);
			if (NhsIdentifiers.NHS_NUMBER.equals(id.getSystem()) && id.hasValue() && !NhsIdentifiers.isValidNhsNumber(id.getValue())) {
				throw Outcomes.unprocessable("NHS number " + id.getValue() + " is not valid: an NHS number is 10 digits whose last digit is the"
						+ " Modulus 11 check digit of the first nine", "Patient.identifier[" + i + "].value");
			}
		}
		return NhsIdentifiers.valueOf(patient.getIdentifier(), NhsIdentifiers.NHS_NUMBER);
	}

	private StoredResource byNhsNumber(String nhsNumber) {
		// Two referrals for the same new person at once must not create two records.
		store.lock("Patient|nhs-number|" + nhsNumber);
		List<StoredResource> found = resources.matchAll("Patient", "identifier=" + URLEncoder.encode(NhsIdentifiers.NHS_NUMBER + "|" + nhsNumber,
				StandardCharsets.UTF_8), 1);
		return found.isEmpty() ? null : found.get(0);
	}

}
