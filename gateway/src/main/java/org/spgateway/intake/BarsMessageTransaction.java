package org.spgateway.intake;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.api.PreferReturnEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.MessageHeader;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.spgateway.directory.ServiceDirectory;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.resources.ResourceService;
import org.spgateway.security.AccessScope;
import org.spgateway.server.ServedResourceTypes;
import org.spgateway.store.LocalReference;
import org.spgateway.transaction.TransactionProcessor;
import org.spgateway.validation.ValidationIssue;
import org.spgateway.validation.ValidationReport;

/**
 * A BaRS message's resources as a transaction, applied through the same writes as a transaction
 * Bundle (the Patient matched on NHS number, directory resources on identifiers, the referral to
 * referral intake), with what a message needs besides: entries not kept (types the gateway does not
 * take, services outside the directory, directory entries nothing refers to), free-text questions kept
 * inside the referral, the sender's context stored as sent and listed on the referral, and, for an
 * update, the context already stored not stored again.
 */
final class BarsMessageTransaction {

	/** Matched by their own identifiers (or the NHS number) on every write, never by content. */
	private static final Set<String> NOT_REUSED = Set.of("Patient", "Organization", "Practitioner", "PractitionerRole",
			"HealthcareService", "ServiceRequest");
	private static final Pattern ENTRY = Pattern.compile("Bundle\\.entry\\[(\\d+)\\]");

	private final FhirContext fhirContext;
	private final TransactionProcessor processor;
	private final ResourceService resources;
	private final ServiceDirectory directory;

	BarsMessageTransaction(FhirContext fhirContext, TransactionProcessor processor, ResourceService resources, ServiceDirectory directory) {
		this.fhirContext = fhirContext;
		this.processor = processor;
		this.resources = resources;
		this.directory = directory;
	}

	/** The message's resources as a transaction, through the same writes as a transaction Bundle; returns the referral's id. */
	String apply(RequestDetails request, Bundle message, ServiceRequest referral, ReferralRecords.Referral existing, ValidationReport report,
			List<ValidationIssue> notes, Map<Integer, Integer> toMessage) {
		Map<String, String> reuse = new HashMap<>(existing == null ? Map.of() : reusable(message, existing));
		containFreeTextResponses(message, referral, reuse, notes);
		Set<String> dropped = new HashSet<>();
		for (int i = 1; i < message.getEntry().size(); i++) {
			BundleEntryComponent entry = message.getEntry().get(i);
			Resource resource = entry.getResource();
			String type = resource.fhirType();
			if (entry.hasFullUrl() && reuse.containsKey(entry.getFullUrl())) {
				continue;
			}
			if (!ServedResourceTypes.WRITABLE.contains(type) || !SenderContext.isKept(type) || (resource instanceof HealthcareService hs
					&& !inDirectory(hs))) {
				if (entry.hasFullUrl()) {
					dropped.add(entry.getFullUrl());
				}
				notes.add(ValidationIssue.warning(IssueType.INFORMATIONAL, "Bundle.entry[" + i + "] (" + type + ") was not kept: "
						+ (resource instanceof HealthcareService ? "the service is not in the gateway's directory" : "the gateway does not take " + type
								+ " resources in a referral message") + "; references to it keep only their identifier and display", "Bundle.entry[" + i + "]"));
			}
		}
		for (int i : unused(message, referral)) {
			if (!dropped.add(message.getEntry().get(i).getFullUrl())) {
				continue;
			}
			notes.add(info("Bundle.entry[" + i + "] (" + message.getEntry().get(i).getResource().fhirType() + ") was not kept: neither the referral"
					+ " nor the sender's context refers to it"));
		}
		SenderContext.listAsSupportingInfo(fhirContext, message, referral, dropped, reuse);
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		Set<Integer> storedAsSent = new HashSet<>();
		Map<Integer, List<ValidationIssue>> warnings = new HashMap<>();
		int referralEntry = -1;
		for (int i = 1; i < message.getEntry().size(); i++) {
			BundleEntryComponent entry = message.getEntry().get(i);
			Resource resource = entry.getResource();
			String type = resource.fhirType();
			String fullUrl = entry.hasFullUrl() ? entry.getFullUrl() : "urn:uuid:" + UUID.randomUUID();
			if (reuse.containsKey(fullUrl) || dropped.contains(fullUrl) || !ServedResourceTypes.WRITABLE.contains(type)
					|| !SenderContext.isKept(type)
					|| (resource instanceof HealthcareService hs && !inDirectory(hs))) {
				continue;
			}
			BundleEntryComponent tx = transaction.addEntry().setFullUrl(fullUrl).setResource(resource);
			int index = transaction.getEntry().size() - 1;
			toMessage.put(index, i);
			if (resource == referral) {
				referralEntry = index;
			}
			if (SenderContext.isContext(resource, referral)) {
				SenderContext.mark(resource, BarsMessages.referralUrl(message, referral));
				storedAsSent.add(index);
			}
			if (resource == referral && existing != null) {
				tx.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("ServiceRequest/" + existing.serviceRequestId());
			} else if (resource instanceof Patient patient && NhsIdentifiers.valueOf(patient.getIdentifier(), NhsIdentifiers.NHS_NUMBER) != null) {
				String nhs = NhsIdentifiers.valueOf(patient.getIdentifier(), NhsIdentifiers.NHS_NUMBER).replace(" ", "");
				tx.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient").setIfNoneExist(PatientRecords.criteria(nhs));
			} else {
				tx.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl(type);
			}
			List<ValidationIssue> own = new ArrayList<>();
			for (ValidationIssue issue : report.issues()) {
				Matcher m = ENTRY.matcher(issue.expression() == null ? "" : issue.expression());
				if (m.lookingAt() && Integer.parseInt(m.group(1)) == i) {
					own.add(issue);
				}
			}
			warnings.put(index, own);
		}
		for (BundleEntryComponent e : transaction.getEntry()) {
			for (Reference ref : fhirContext.newTerser().getAllPopulatedChildElementsOfType(e.getResource(), Reference.class)) {
				String value = ref.getReference();
				if (value == null) {
					continue;
				}
				if (reuse.containsKey(value)) {
					ref.setReference(reuse.get(value));
				} else if (dropped.contains(value)) {
					ref.setReference(null);
					ref.setResource(null);
					if (!ref.hasIdentifier() && !ref.hasDisplay()) {
						ref.setDisplay("Sent with the referral message but not kept by the gateway");
					}
				}
			}
		}
		Bundle result = processor.applyValidatedTransaction(transaction, warnings, PreferReturnEnum.OPERATION_OUTCOME, request, storedAsSent);
		BundleEntryComponent answer = result.getEntry().get(referralEntry);
		if (answer.getResponse().getOutcome() instanceof OperationOutcome outcome) {
			for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
				if (issue.getSeverity() != IssueSeverity.INFORMATION || !"No issues found".equals(issue.getDiagnostics())) {
					notes.add(new ValidationIssue(issue.getSeverity(), issue.getCode(), issue.getDiagnostics(), null));
				}
			}
		}
		LocalReference location = LocalReference.parse(answer.getResponse().getLocation());
		return location.id();
	}

	/**
	 * The directory entries (organisations, practitioners, roles, services) that neither the referral nor
	 * the sender's context refers to, directly or through each other: in the guide's messages, the
	 * MessageHeader's sender and receiver, and roles nobody in the referral plays. Stored, an
	 * Organization with only a name would be a new directory entry on every message.
	 */
	private List<Integer> unused(Bundle message, ServiceRequest referral) {
		Map<String, Integer> byUrl = new HashMap<>();
		List<String> pending = new ArrayList<>();
		for (int i = 1; i < message.getEntry().size(); i++) {
			BundleEntryComponent e = message.getEntry().get(i);
			if (!e.hasFullUrl()) {
				continue;
			}
			byUrl.put(e.getFullUrl(), i);
			if (e.getResource() == referral || SenderContext.isContext(e.getResource(), referral) || e.getResource() instanceof Patient) {
				pending.add(e.getFullUrl());
			}
		}
		Set<String> reached = new HashSet<>(pending);
		while (!pending.isEmpty()) {
			Resource r = message.getEntry().get(byUrl.get(pending.remove(pending.size() - 1))).getResource();
			for (Reference ref : fhirContext.newTerser().getAllPopulatedChildElementsOfType(r, Reference.class)) {
				if (ref.hasReference() && byUrl.containsKey(ref.getReference()) && reached.add(ref.getReference())) {
					pending.add(ref.getReference());
				}
			}
		}
		List<Integer> unused = new ArrayList<>();
		byUrl.forEach((url, i) -> {
			if (!reached.contains(url)) {
				unused.add(i);
			}
		});
		unused.sort(null);
		return unused;
	}

	/**
	 * A QuestionnaireResponse that names no Questionnaire (free-text referral questions) is not an
	 * outcome response, which outcome capture requires to name its instrument: it travels inside the
	 * referral (contained, referred to from supportingInfo) so that nothing the sender wrote is lost.
	 */
	private void containFreeTextResponses(Bundle message, ServiceRequest referral, Map<String, String> reuse, List<ValidationIssue> notes) {
		int n = 0;
		for (int i = 1; i < message.getEntry().size(); i++) {
			BundleEntryComponent entry = message.getEntry().get(i);
			if (entry.getResource() instanceof QuestionnaireResponse qr && !qr.hasQuestionnaire() && entry.hasFullUrl()
					&& !reuse.containsKey(entry.getFullUrl())) {
				String localId = "qr" + (++n);
				QuestionnaireResponse contained = qr.copy();
				contained.setId(localId);
				referral.addContained(contained);
				reuse.put(entry.getFullUrl(), "#" + localId);
				if (referral.getSupportingInfo().stream().noneMatch(r -> entry.getFullUrl().equals(r.getReference()))) {
					referral.addSupportingInfo(new Reference(entry.getFullUrl()));
				}
				notes.add(info("Bundle.entry[" + i + "] (a QuestionnaireResponse naming no Questionnaire) is kept inside the referral as #" + localId));
			}
		}
	}

	/**
	 * For an update: the message's supporting resources (Conditions, Flags ...) that are the same as
	 * those the stored referral already refers to are not stored again.
	 */
	private Map<String, String> reusable(Bundle message, ReferralRecords.Referral existing) {
		ServiceRequest stored = (ServiceRequest) resources.toResource(resources.read("ServiceRequest", existing.serviceRequestId(),
				AccessScope.UNRESTRICTED));
		List<Resource> known = new ArrayList<>();
		for (Reference ref : fhirContext.newTerser().getAllPopulatedChildElementsOfType(stored, Reference.class)) {
			LocalReference local = LocalReference.parse(ref.getReference());
			if (local != null && !NOT_REUSED.contains(local.type())) {
				try {
					known.add(resources.toResource(resources.read(local.type(), local.id(), AccessScope.UNRESTRICTED)));
				} catch (ResourceNotFoundException e) {
					// referred to but not stored: nothing to reuse
				}
			}
		}
		Map<String, String> reuse = new HashMap<>();
		for (BundleEntryComponent e : message.getEntry()) {
			if (!e.hasFullUrl() || e.getResource() instanceof ServiceRequest || e.getResource() instanceof MessageHeader) {
				continue;
			}
			for (Resource k : known) {
				if (k.fhirType().equals(e.getResource().fhirType()) && sameContent(k, e.getResource())) {
					reuse.put(e.getFullUrl(), k.fhirType() + "/" + k.getIdElement().getIdPart());
					break;
				}
			}
		}
		return reuse;
	}

	/** Same content apart from ids, meta and what references point at (compared as JSON, which leaves out empty elements). */
	private boolean sameContent(Resource a, Resource b) {
		IParser json = fhirContext.newJsonParser();
		return json.encodeResourceToString(strip(a)).equals(json.encodeResourceToString(strip(b)));
	}

	private Resource strip(Resource r) {
		Resource copy = r.copy();
		copy.setId((String) null);
		copy.setMeta(null);
		NhsIdentifiers.normalize(fhirContext, copy);
		for (Reference ref : fhirContext.newTerser().getAllPopulatedChildElementsOfType(copy, Reference.class)) {
			ref.setReference(null);
			ref.setResource(null);
		}
		return copy;
	}

	private boolean inDirectory(HealthcareService hs) {
		for (Identifier i : hs.getIdentifier()) {
			if (i.hasValue() && directory.serviceByIdentifier(i.getSystem(), i.getValue()) != null) {
				return true;
			}
		}
		return false;
	}

	private static ValidationIssue info(String text) {
		return new ValidationIssue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, text, null);
	}
}
