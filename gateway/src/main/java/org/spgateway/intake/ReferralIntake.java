package org.spgateway.intake;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.ServiceRequest.ServiceRequestStatus;
import org.hl7.fhir.r4.model.Task;
import org.spgateway.access.ReferralParties;
import org.spgateway.directory.EligibilityRules;
import org.spgateway.directory.ServiceDirectory;
import org.spgateway.directory.ServiceListing;
import org.spgateway.fhir.Codes;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.fhir.Outcomes;
import org.spgateway.intake.ReferralResolver.Found;
import org.spgateway.intake.ReferralResolver.Organisation;
import org.spgateway.resources.IncomingResource;
import org.spgateway.resources.ResourceService;
import org.spgateway.resources.ResourceWriteHandler;
import org.spgateway.resources.WriteContext;
import org.spgateway.resources.WriteOutcome;
import org.spgateway.security.AccessScope;
import org.spgateway.store.LocalReference;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.StoredResource;
import org.spgateway.validation.ValidationIssue;

/**
 * Referral intake: the one service every ServiceRequest write goes through, whether it arrives as a
 * BaRS message, in a transaction Bundle or by REST. A new referral is checked (who, for whom, why,
 * consent, flags), routed to a service, checked against that service's eligibility rules and stored
 * with the provider's Task and a Provenance, all in the caller's transaction. Sending the same
 * referral again returns the first answer and stores nothing; a different referral under an
 * identifier already used is a 409. An update that revokes a referral cancels its Task; any other
 * change is stored as a new version and noted on the Task.
 */
public class ReferralIntake implements ResourceWriteHandler {

	private final ReferralParties parties;

	static final String SOCIAL_PRESCRIBING_REFERRAL = "871731000000106";
	static final String SNOMED = "http://snomed.info/sct";
	static final String REFERRAL_SOURCE = "https://spgateway.org/fhir/StructureDefinition/sp-referral-source";
	static final String STATUS_REASON = "http://hl7.org/fhir/StructureDefinition/request-statusReason";

	private final FhirContext fhirContext;
	private final ResourceService resources;
	private final ServiceDirectory directory;
	private final ReferralRecords records;
	private final ReferralRouting routing;
	private final ReferralSourceInference sources;
	private final IntakeProperties settings;
	private final ResourceStore store;

	public ReferralIntake(FhirContext fhirContext, ResourceService resources, ResourceStore store, ServiceDirectory directory, ReferralRecords records,
			ReferralSourceInference sources, IntakeProperties settings, ReferralParties parties) {
		this.parties = parties;
		this.fhirContext = fhirContext;
		this.resources = resources;
		this.store = store;
		this.directory = directory;
		this.records = records;
		this.routing = new ReferralRouting(directory, settings.getMaxAlternatives());
		this.sources = sources;
		this.settings = settings;
	}

	@Override
	public String resourceType() {
		return "ServiceRequest";
	}

	// ---------------------------------------------------------------- new referrals

	@Override
	public WriteOutcome create(IncomingResource incoming, String ifNoneExist, WriteContext context) {
		ServiceRequest referral = (ServiceRequest) incoming.resource();
		// If-None-Exist, when there was one, has already been searched without a match (ResourceService).
		MessageContext message = BarsHeaders.read(context, false);
		Analysis a = analyse(referral, context, message);
		String referralId = incoming.newId();
		String taskId = ResourceStore.newId();
		if (!records.insert(new ReferralRecords.Referral(a.key, a.fingerprint, referralId, taskId))) {
			return repeat(records.find(a.key).orElseThrow(), a, incoming.warnings());
		}
		check(a);
		Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		ReferralRouting.Decision decision = routing.route(routingFacts(a, message, now));
		ServiceListing service = decision.service();
		List<ValidationIssue> issues = new ArrayList<>(incoming.warnings());
		if (!referral.hasCode()) {
			// BaRS referrals may leave the code to the service they are sent to (the guide's examples do).
			referral.setCode(new CodeableConcept().addCoding(new Coding(SNOMED, SOCIAL_PRESCRIBING_REFERRAL, "Referral to social prescribing service")));
			issues.add(new ValidationIssue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, "The referral gives no code: recorded as SNOMED CT "
					+ SOCIAL_PRESCRIBING_REFERRAL + " (Referral to social prescribing service), what it is to " + service.label(), "ServiceRequest.code"));
		}
		checkCode(referral, service);
		complete(a, service);

		WriteOutcome stored = resources.createNow(referral, referralId, issues);
		Instant deadline = now.plus(service.responseTime() != null ? service.responseTime() : settings.getDefaultResponseTime());
		Task task = ReferralTasks.newTask(referral, referralId, service, now, deadline, decision.triage(), a.flags, parentTask(referral));
		StoredResource storedTask = resources.createNow(task, taskId, List.of()).stored();
		resources.createNow(ReferralProvenance.of(List.of(new Reference(stored.stored().versionedId()), new Reference(storedTask.versionedId())), true, now, referral.getRequester(),
				a.referrer == null ? null : a.referrer.reference(), sendingOrganisation(message), message), ResourceStore.newId(), List.of());

		issues.add(new ValidationIssue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, "Referral accepted for " + service.label() + ": Task/" + taskId
				+ " (status requested) is in the work queue of " + service.provider().label() + ", who should accept or reject it by "
				+ deadline.toString().substring(0, 10), "ServiceRequest"));
		if (!decision.triage().isEmpty()) {
			issues.add(ValidationIssue.warning(IssueType.BUSINESSRULE, "Accepted for manual triage: " + decision.triage().stream()
					.map(EligibilityRules.Failure::diagnostics).collect(Collectors.joining("; ")) + ". A link worker will review eligibility", "ServiceRequest"));
		}
		return new WriteOutcome(stored.stored(), referral, true, true, issues);
	}

	/**
	 * A transaction asks before it assigns ids: a referral already received (same referrer and
	 * identifier, same content) is the stored one, and nothing of it is written again; the same
	 * identifier on different content is a 409.
	 */
	@Override
	public StoredResource findExisting(Resource resource, String ifNoneExist, WriteContext context) {
		ServiceRequest referral = (ServiceRequest) resource;
		Analysis a;
		try {
			a = analyse(referral, context, BarsHeaders.read(context, false));
		} catch (ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException notYet) {
			// Only a lookup: what is wrong with the referral is reported when it is written, after the
			// transaction's own checks (references between entries ...) have had their say.
			return null;
		}
		ReferralRecords.Referral first = records.find(a.key).orElse(null);
		if (first == null) {
			return null;
		}
		if (!first.fingerprint().equals(a.fingerprint)) {
			throw conflict(first, a);
		}
		return resources.read("ServiceRequest", first.serviceRequestId(), AccessScope.UNRESTRICTED);
	}

	/**
	 * $validate: what intake would say about this referral as a new one (who, for whom, why, routing,
	 * eligibility), storing nothing. A referral that is no longer active is checked only by its profile.
	 */
	@Override
	public List<ValidationIssue> check(Resource resource, WriteContext context) {
		ServiceRequest referral = (ServiceRequest) fhirContext.newJsonParser().parseResource(fhirContext.newJsonParser().encodeResourceToString(resource));
		if (referral.getStatus() != ServiceRequestStatus.ACTIVE) {
			return List.of();
		}
		try {
			MessageContext message = BarsHeaders.read(context, false);
			Analysis a = analyse(referral, context, message);
			check(a);
			ReferralRouting.Decision decision = routing.route(routingFacts(a, message, Instant.now()));
			checkCode(referral, decision.service());
			List<ValidationIssue> issues = new ArrayList<>();
			issues.add(new ValidationIssue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, "As a new referral this would go to "
					+ decision.service().label() + ", whose Task would be owned by " + decision.service().provider().label(), "ServiceRequest"));
			decision.triage().forEach(f -> issues.add(ValidationIssue.warning(IssueType.BUSINESSRULE, "It would be accepted for manual triage: "
					+ f.diagnostics(), "ServiceRequest")));
			return issues;
		} catch (ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException refused) {
			List<ValidationIssue> issues = new ArrayList<>();
			for (org.hl7.fhir.r4.model.OperationOutcome.OperationOutcomeIssueComponent issue : Outcomes.outcomeOf(refused).getIssue()) {
				issues.add(new ValidationIssue(issue.getSeverity(), issue.getCode(), issue.getDiagnostics(),
						issue.hasExpression() ? issue.getExpression().get(0).getValue() : null));
			}
			return issues;
		}
	}

	/** What the sender's identifier stands for, if the gateway has taken this referral already; null otherwise. */
	public ReferralRecords.Referral previous(ServiceRequest referral, WriteContext context) {
		Analysis a = analyse(referral, context, BarsHeaders.read(context, false));
		ReferralRecords.Referral first = records.find(a.key).orElse(null);
		if (first != null && !first.fingerprint().equals(a.fingerprint)) {
			throw conflict(first, a);
		}
		return first;
	}

	/** The referral a sender's identifier names (for BaRS updates), or null. */
	public ReferralRecords.Referral byIdentifier(ServiceRequest referral, WriteContext context) {
		Analysis a = analyse(referral, context, BarsHeaders.read(context, false));
		return records.find(a.key).orElse(null);
	}

	private WriteOutcome repeat(ReferralRecords.Referral first, Analysis a, List<ValidationIssue> warnings) {
		if (!first.fingerprint().equals(a.fingerprint)) {
			throw conflict(first, a);
		}
		StoredResource stored = resources.read("ServiceRequest", first.serviceRequestId(), AccessScope.UNRESTRICTED);
		List<ValidationIssue> issues = new ArrayList<>(warnings);
		issues.add(new ValidationIssue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, "This referral was received before as ServiceRequest/"
				+ first.serviceRequestId() + " (Task/" + first.taskId() + "); nothing new was stored", "ServiceRequest"));
		return new WriteOutcome(stored, resources.toResource(stored), false, false, issues);
	}

	private static ResourceVersionConflictException conflict(ReferralRecords.Referral first, Analysis a) {
		if (BarsMessages.BARS_REFERRAL_ID.equals(a.key.system())) {
			String text = "The referral " + a.key.value() + " from " + a.key.referrer() + " was received before with different content (ServiceRequest/"
					+ first.serviceRequestId() + "): to change it, send it with reason update; a new referral needs a ServiceRequest entry with a new fullUrl";
			return new ResourceVersionConflictException(text, Outcomes.single(IssueSeverity.ERROR, IssueType.DUPLICATE, text, "ServiceRequest"));
		}
		String message = "The referral identifier " + a.key.describe() + " was already used for a different referral (ServiceRequest/"
				+ first.serviceRequestId() + "). To change that referral, update it (PUT ServiceRequest/" + first.serviceRequestId()
				+ ", or a BaRS update); to send a new referral, give it a new identifier";
		return new ResourceVersionConflictException(message, Outcomes.single(IssueSeverity.ERROR, IssueType.DUPLICATE, message,
				"ServiceRequest.identifier[0]"));
	}

	// ---------------------------------------------------------------- analysis

	/** Everything intake works out about a referral before deciding anything. */
	private static final class Analysis {
		ServiceRequest referral;
		ReferralResolver resolver;
		Patient patient;
		String patientId;
		String nhsNumber;
		String requesterType;
		Organisation referrer;
		List<Coding> roleCodes = List.of();
		String practitionerName;
		ReferralRecords.Key key;
		String fingerprint;
		List<Condition> conditions;
		List<Consent> consents;
		List<Flag> flags;
	}

	private Analysis analyse(ServiceRequest referral, WriteContext context, MessageContext message) {
		Analysis earlier = earlier(context).get(referral);
		NhsIdentifiers.normalize(fhirContext, referral);
		Analysis a = new Analysis();
		a.referral = referral;
		a.resolver = new ReferralResolver(resources, directory, context, referral);
		person(a);
		referrer(a, message);
		if (message.isBars() && message.message().referralUrl() != null) {
			// BaRS: the sender and the referral entry's fullUrl, the same in its new, update and delete messages.
			a.key = new ReferralRecords.Key(message.message().senderKey(), BarsMessages.BARS_REFERRAL_ID, message.message().referralUrl());
		} else {
			Identifier identifier = referral.getIdentifierFirstRep();
			a.key = new ReferralRecords.Key(a.referrer != null && a.referrer.referrerKey() != null ? a.referrer.referrerKey() : "-",
					identifier.getSystem(), identifier.getValue());
		}
		// A transaction analyses its referral before ids are assigned (findExisting) and again when it is written:
		// the fingerprint does not depend on the ids, so the first one stands.
		a.fingerprint = earlier != null && earlier.key.equals(a.key) ? earlier.fingerprint : fingerprint(a);
		earlier(context).put(referral, a);
		return a;
	}

	@SuppressWarnings("unchecked")
	private static java.util.Map<ServiceRequest, Analysis> earlier(WriteContext context) {
		if (context.request() == null) {
			return new java.util.IdentityHashMap<>();
		}
		return (java.util.Map<ServiceRequest, Analysis>) context.request().getUserData().computeIfAbsent(ReferralIntake.class.getName() + ".analysed",
				k -> new java.util.IdentityHashMap<ServiceRequest, Analysis>());
	}

	/** The person referred: a known Patient, with a valid NHS number or (without one) enough to reach them. */
	private void person(Analysis a) {
		Reference subject = a.referral.getSubject();
		Found found = a.resolver.patient(subject);
		if (found == null) {
			String nhs = subject.hasIdentifier() && NhsIdentifiers.is(subject.getIdentifier().getSystem(), NhsIdentifiers.NHS_NUMBER)
					? subject.getIdentifier().getValue() : null;
			if (nhs != null && !NhsIdentifiers.isValidNhsNumber(nhs)) {
				throw Outcomes.unprocessable("NHS number " + nhs + " is not valid: an NHS number is 10 digits whose last digit is the Modulus 11 check"
						+ " digit of the first nine", "ServiceRequest.subject.identifier.value");
			}
			throw Outcomes.unprocessable(nhs != null
					? "No Patient with NHS number " + nhs + " is known to the gateway: create the Patient first, or send it with the referral"
							+ " (transaction Bundle or BaRS message)"
					: "ServiceRequest.subject must refer to the Patient: a Patient the gateway holds (Patient/[id]), an entry of the same"
							+ " Bundle, or an NHS number (identifier system " + NhsIdentifiers.NHS_NUMBER + ")", "ServiceRequest.subject");
		}
		a.patient = (Patient) found.resource();
		a.patientId = found.storedId();
		Patient copy = a.patient.copy();
		NhsIdentifiers.normalize(fhirContext, copy);
		a.nhsNumber = NhsIdentifiers.valueOf(copy.getIdentifier(), NhsIdentifiers.NHS_NUMBER);
		if (a.nhsNumber != null && !NhsIdentifiers.isValidNhsNumber(a.nhsNumber)) {
			throw Outcomes.unprocessable("NHS number " + a.nhsNumber + " is not valid: an NHS number is 10 digits whose last digit is the Modulus 11"
					+ " check digit of the first nine", "Patient.identifier");
		}
		if (a.nhsNumber == null) {
			boolean named = a.patient.getName().stream().anyMatch(n -> n.hasFamily() || n.hasText() || n.hasGiven());
			boolean reachable = a.patient.getTelecom().stream().anyMatch(t -> t.hasValue()) || a.patient.getAddress().stream()
					.anyMatch(ad -> ad.hasLine() || ad.hasPostalCode() || ad.hasText());
			if (!named || !a.patient.hasBirthDate() || !reachable) {
				throw Outcomes.unprocessable("The person referred needs an NHS number (identifier system " + NhsIdentifiers.NHS_NUMBER
						+ "), or, for a self-referral, a name, a birth date and a phone number, email or address so the provider can reach them",
						"ServiceRequest.subject");
			}
		}
	}

	/** Who made the referral and for which organisation; the organisation is what the referral's identifier is unique for. */
	private void referrer(Analysis a, MessageContext message) {
		Reference requester = a.referral.getRequester();
		String type = a.resolver.typeOf(requester);
		if (type == null && requester.hasIdentifier()) {
			String system = NhsIdentifiers.canonicalSystem(requester.getIdentifier().getSystem());
			type = NhsIdentifiers.ODS_ORGANIZATION.equals(system) ? "Organization"
					: NhsIdentifiers.SDS_ROLE_PROFILE.equals(system) ? "PractitionerRole"
					: NhsIdentifiers.SDS_USER.equals(system) ? "Practitioner" : null;
		}
		a.requesterType = type;
		Organisation org = null;
		if ("Organization".equals(type)) {
			org = a.resolver.organisation(requester);
		} else if ("PractitionerRole".equals(type)) {
			Found role = a.resolver.resolve(requester);
			if (role == null && requester.hasIdentifier() && requester.getIdentifier().hasValue()) {
				List<StoredResource> stored = resources.matchAll("PractitionerRole", "identifier=" + java.net.URLEncoder.encode(
						requester.getIdentifier().getSystem() + "|" + requester.getIdentifier().getValue(), StandardCharsets.UTF_8), 1);
				role = stored.isEmpty() ? null : new Found(resources.toResource(stored.get(0)), stored.get(0).id());
			}
			if (role != null && role.resource() instanceof PractitionerRole pr) {
				org = a.resolver.organisationOf(pr);
				Found practitioner = a.resolver.resolve(pr.getPractitioner());
				if (practitioner != null && practitioner.resource() instanceof org.hl7.fhir.r4.model.Practitioner p && p.hasName()) {
					HumanName name = p.getNameFirstRep();
					a.practitionerName = name.hasText() ? name.getText() : String.join(" ", java.util.stream.Stream.concat(java.util.stream.Stream.concat(
							name.getPrefix().stream().map(x -> x.getValue()), name.getGiven().stream().map(x -> x.getValue())),
							java.util.stream.Stream.of(name.getFamily())).filter(Objects::nonNull).toList());
				} else if (pr.getPractitioner().hasDisplay()) {
					a.practitionerName = pr.getPractitioner().getDisplay();
				}
				List<Coding> codes = new ArrayList<>();
				pr.getCode().forEach(c -> codes.addAll(c.getCoding()));
				a.roleCodes = codes;
			}
		} else if ("Patient".equals(type)) {
			Found self = a.resolver.patient(requester);
			boolean same = self != null && (self.resource() == a.patient || (self.storedId() != null && self.storedId().equals(a.patientId)));
			if (!same) {
				throw Outcomes.unprocessable("A Patient may refer only themselves: ServiceRequest.requester is a Patient but not the person in"
						+ " ServiceRequest.subject", "ServiceRequest.requester");
			}
		}
		if (org == null || org.referrerKey() == null) {
			// The requester names no organisation: the BaRS sender, else the sending user's organisation.
			String ods = message.isBars() && message.message().senderOds() != null ? message.message().senderOds() : message.endUserOrganisation();
			if (ods != null) {
				org = a.resolver.organisation(new Reference().setIdentifier(new Identifier().setSystem(NhsIdentifiers.ODS_ORGANIZATION).setValue(ods))
						.setDisplay(message.isBars() && message.message().senderOds() != null ? message.message().senderName()
								: message.endUserOrganisationName()));
			}
		}
		if ((org == null || org.referrerKey() == null) && !"Patient".equals(type) && !"RelatedPerson".equals(type)) {
			throw Outcomes.unprocessable("The referral must say which organisation made it: ServiceRequest.requester must be an Organization with an"
					+ " ODS code (identifier system " + NhsIdentifiers.ODS_ORGANIZATION + "), or a PractitionerRole whose organization has one"
					+ (requester.isEmpty() ? "" : "; " + describe(requester) + " gives none"), "ServiceRequest.requester");
		}
		a.referrer = org;
	}

	/**
	 * The referral as sent, with references reduced to what they identify, plus the person and the
	 * referrer: the same referral sent again (even with new local ids for its Conditions) has the same
	 * fingerprint.
	 */
	private String fingerprint(Analysis a) {
		// Through JSON, not copy(): a copy keeps the parser's links from references to other entries'
		// resources, and walking its references would reach into (and change) those entries.
		ServiceRequest copy = (ServiceRequest) fhirContext.newJsonParser().parseResource(fhirContext.newJsonParser().encodeResourceToString(a.referral));
		copy.setId((String) null);
		copy.setMeta(null);
		copy.setText(null);
		for (Reference ref : fhirContext.newTerser().getAllPopulatedChildElementsOfType(copy, Reference.class)) {
			String type = ref.hasReference() ? a.resolver.typeOf(ref) : null;
			ref.setReference(type);
			ref.setResource(null);
		}
		String person = a.nhsNumber != null ? "nhs:" + a.nhsNumber : "person:" + a.patient.getName().stream().map(HumanName::getNameAsSingleString)
				.collect(Collectors.joining("/")) + ":" + a.patient.getBirthDateElement().getValueAsString();
		String json = fhirContext.newJsonParser().encodeResourceToString(copy) + "|" + person + "|" + a.key.referrer();
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8)));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	// ---------------------------------------------------------------- rules

	/** The rules a new referral must meet besides its profile: status, reasons, consent, flags. */
	private void check(Analysis a) {
		ServiceRequest referral = a.referral;
		if (referral.getStatus() != ServiceRequestStatus.ACTIVE) {
			throw Outcomes.unprocessable("A new referral's status must be active; this one is " + (referral.hasStatus() ? referral.getStatus().toCode()
					: "missing"), "ServiceRequest.status");
		}
		if (!referral.hasAuthoredOn()) {
			throw Outcomes.unprocessable("The referral must say when it was made: ServiceRequest.authoredOn", "ServiceRequest.authoredOn");
		}
		if (settings.isRequireReason() && !referral.hasReasonCode() && !referral.hasReasonReference() && a.resolver.planned().isEmpty()) {
			throw Outcomes.unprocessable("The referral must say why the person is referred: give reasonCode (e.g. SNOMED CT codes for their needs or"
					+ " conditions), reasonReference to their Conditions, or (as BaRS does) basedOn a CarePlan that addresses them",
					"ServiceRequest.reasonCode");
		}
		for (int i = 0; i < referral.getReasonReference().size(); i++) {
			Reference ref = referral.getReasonReference().get(i);
			if (ref.hasReference() && a.resolver.resolve(ref) == null) {
				throw Outcomes.unprocessable("ServiceRequest.reasonReference[" + i + "] refers to " + ref.getReference()
						+ ", which is neither stored nor sent with the referral", "ServiceRequest.reasonReference[" + i + "]");
			}
		}
		a.conditions = a.resolver.conditions();
		for (Condition c : a.conditions) {
			requireSamePerson(a, c.getSubject(), "Condition");
		}
		a.flags = a.resolver.flags();
		for (Flag f : a.flags) {
			requireSamePerson(a, f.getSubject(), "Flag");
		}
		a.consents = a.resolver.consents();
		for (Consent c : a.consents) {
			requireSamePerson(a, c.getPatient(), "Consent");
			boolean denies = c.getStatus() != Consent.ConsentState.ACTIVE || (c.hasProvision() && c.getProvision().getType() == Consent.ConsentProvisionType.DENY);
			if (denies) {
				throw Outcomes.unprocessable("The person's consent sent with the referral does not permit sharing their information with the provider"
						+ " (Consent status " + (c.hasStatus() ? c.getStatus().toCode() : "missing") + (c.hasProvision() && c.getProvision().hasType()
								? ", provision " + c.getProvision().getType().toCode() : "") + "); the gateway cannot pass the referral on", "Consent");
			}
		}
		if (settings.isRequireConsent() && a.consents.isEmpty()) {
			throw Outcomes.unprocessable("This gateway requires the person's consent to share with the provider: send an active Consent (in"
					+ " supportingInfo or alongside the referral)", "ServiceRequest.supportingInfo");
		}
	}

	private void requireSamePerson(Analysis a, Reference subject, String what) {
		if (subject == null || subject.isEmpty()) {
			return;
		}
		Found found = a.resolver.patient(subject);
		boolean same = found == null || found.resource() == a.patient || (found.storedId() != null && found.storedId().equals(a.patientId));
		if (!same) {
			throw Outcomes.unprocessable("A " + what + " sent with the referral is about a different person than ServiceRequest.subject", what + ".subject");
		}
	}

	/** The referral's code: Referral to social prescribing service, or one of the service's types. */
	private static void checkCode(ServiceRequest referral, ServiceListing service) {
		for (Coding c : referral.getCode().getCoding()) {
			if (SNOMED.equals(c.getSystem()) && SOCIAL_PRESCRIBING_REFERRAL.equals(c.getCode())) {
				return;
			}
			for (Coding accepted : service.acceptedCodes()) {
				if (Objects.equals(accepted.getSystem(), c.getSystem()) && Objects.equals(accepted.getCode(), c.getCode())) {
					return;
				}
			}
		}
		String accepted = service.acceptedCodes().stream().map(c -> c.getSystem() + "|" + c.getCode()).collect(Collectors.joining(", "));
		throw Outcomes.unprocessable("ServiceRequest.code is not a code " + service.label() + " accepts: use SNOMED CT " + SOCIAL_PRESCRIBING_REFERRAL
				+ " (Referral to social prescribing service)" + (accepted.isEmpty() ? "" : " or one of " + accepted), "ServiceRequest.code");
	}

	private ReferralRouting.Facts routingFacts(Analysis a, MessageContext message, Instant now) {
		List<Coding> conditions = new ArrayList<>();
		a.referral.getReasonCode().forEach(cc -> conditions.addAll(cc.getCoding()));
		for (Condition c : a.conditions) {
			if (counts(c)) {
				conditions.addAll(c.getCode().getCoding());
			}
		}
		Set<String> practices = ReferralRouting.set(a.referrer != null ? a.referrer.ods() : null);
		for (Reference gp : a.patient.getGeneralPractitioner()) {
			Organisation practice = a.resolver.organisation(gp);
			if (practice != null && practice.ods() != null) {
				practices.add(practice.ods());
			}
		}
		org.hl7.fhir.r4.model.DateTimeType authored = a.referral.getAuthoredOnElement();
		LocalDate on = LocalDate.of(authored.getYear(), authored.getMonth() + 1, authored.getDay());
		return new ReferralRouting.Facts(a.referral.getPerformer(), a.resolver, message.targetIdentifier(), practices, "Patient".equals(a.requesterType),
				new EligibilityRules.Facts(a.patient.hasBirthDate() ? a.patient.getBirthDateElement() : null, on, conditions), now);
	}

	/** A condition refuted, entered in error or resolved does not make anyone eligible. */
	private static boolean counts(Condition c) {
		String verification = c.getVerificationStatus().getCodingFirstRep().getCode();
		String clinical = c.getClinicalStatus().getCodingFirstRep().getCode();
		return !"refuted".equals(verification) && !"entered-in-error".equals(verification) && !"resolved".equals(clinical) && !"inactive".equals(clinical);
	}

	// ---------------------------------------------------------------- storing

	/** The referral as stored: literal references with identifiers, the chosen service, the referral source. */
	private void complete(Analysis a, ServiceListing service) {
		ServiceRequest referral = a.referral;
		Reference subject = referral.getSubject();
		if (a.patientId != null) {
			subject.setReference("Patient/" + a.patientId);
		}
		if (a.nhsNumber != null) {
			subject.setIdentifier(new Identifier().setSystem(NhsIdentifiers.NHS_NUMBER).setValue(a.nhsNumber));
		}
		if (referral.getRequester().isEmpty() && a.referrer != null) {
			// A BaRS message may name only its sender: the sending organisation made the referral.
			referral.setRequester(a.referrer.reference());
			a.requesterType = "Organization";
		}
		Reference requester = referral.getRequester();
		if ("Organization".equals(a.requesterType) && a.referrer != null) {
			if (!requester.hasReference() && a.referrer.id() != null) {
				requester.setReference("Organization/" + a.referrer.id());
			}
			if (!requester.hasIdentifier() && a.referrer.key() != null) {
				requester.setIdentifier(a.referrer.key().copy());
			}
			if (!requester.hasDisplay() && a.referrer.name() != null) {
				requester.setDisplay(a.referrer.name());
			}
		}
		if ("PractitionerRole".equals(a.requesterType) && !requester.hasDisplay()) {
			// Whoever reads the Task sees who referred without another lookup: "Dr Marcy Blake, Hilltop Medical Practice".
			String who = a.practitionerName;
			String where = a.referrer != null ? a.referrer.name() : null;
			if (who != null || where != null) {
				requester.setDisplay(who != null && where != null ? who + ", " + where : who != null ? who : where);
			}
		}
		List<Reference> performers = new ArrayList<>();
		performers.add(service.reference());
		for (Reference p : referral.getPerformer()) {
			String type = a.resolver.typeOf(p);
			boolean service2 = "HealthcareService".equals(type) || (p.hasIdentifier() && NhsIdentifiers.is(p.getIdentifier().getSystem(),
					NhsIdentifiers.DOS_SERVICE));
			if (!service2) {
				performers.add(p);
			}
		}
		referral.setPerformer(performers);
		if (referral.getExtensionByUrl(REFERRAL_SOURCE) == null) {
			List<Coding> kinds = a.referrer != null ? a.referrer.kinds() : List.of();
			referral.addExtension(REFERRAL_SOURCE, sources.infer(a.requesterType, a.roleCodes, kinds));
		}
	}

	/** An onward referral based on an earlier one: its Task is part of the earlier referral's Task (Gravity partOf). */
	private String parentTask(ServiceRequest referral) {
		for (Reference basedOn : referral.getBasedOn()) {
			LocalReference local = LocalReference.parse(basedOn.getReference());
			if (local != null && local.type().equals("ServiceRequest")) {
				ReferralRecords.Referral parent = records.findByServiceRequest(local.id()).orElse(null);
				if (parent != null) {
					return parent.taskId();
				}
			}
		}
		return null;
	}

	private Reference sendingOrganisation(MessageContext message) {
		String ods = message.isBars() && message.message().senderOds() != null ? message.message().senderOds() : message.endUserOrganisation();
		if (ods == null) {
			return null;
		}
		var known = directory.organizationByIdentifier(NhsIdentifiers.ODS_ORGANIZATION, ods);
		if (known != null) {
			return known.reference();
		}
		return new Reference().setIdentifier(new Identifier().setSystem(NhsIdentifiers.ODS_ORGANIZATION).setValue(ods))
				.setDisplay(message.isBars() && message.message().senderOds() != null ? message.message().senderName() : message.endUserOrganisationName());
	}

	private static String describe(Reference ref) {
		if (ref.hasReference()) {
			return ref.getReference();
		}
		if (ref.hasIdentifier()) {
			return ref.getIdentifier().getSystem() + "|" + ref.getIdentifier().getValue();
		}
		return ref.hasDisplay() ? "'" + ref.getDisplay() + "'" : "the requester";
	}

	// ---------------------------------------------------------------- updates and cancellation

	@Override
	public WriteOutcome update(String id, IncomingResource incoming, Integer expectedVersion, WriteContext context) {
		StoredResource current = store.lockCurrent("ServiceRequest", id).orElse(null);
		if (current == null) {
			// Update as create: a new referral under the id the sender chose.
			if (expectedVersion != null) {
				throw new ResourceNotFoundException("ServiceRequest/" + id + " does not exist, so If-Match cannot match");
			}
			return create(new IncomingResource(incoming.resource(), incoming.warnings(), id), null, context);
		}
		ServiceRequest next = (ServiceRequest) incoming.resource();
		NhsIdentifiers.normalize(fhirContext, next);
		parties.requireRequester(context.request(), (ServiceRequest) resources.toResource(current));
		ReferralRecords.Referral record = records.findByServiceRequest(id).orElse(null);
		if (record == null) {
			// Not taken in by intake (e.g. written before intake existed): an ordinary versioned update.
			return resources.updateNow(current, next, expectedVersion, incoming.method(), incoming.warnings());
		}
		ServiceRequest previous = (ServiceRequest) resources.toResource(current);
		MessageContext message = BarsHeaders.read(context, false);
		checkUnchanged(previous, next, record);
		ServiceRequestStatus before = previous.getStatus();
		ServiceRequestStatus after = next.getStatus();
		checkTransition(before, after);
		// What the gateway added on intake stays unless the sender says otherwise.
		if (!next.hasPerformer()) {
			next.setPerformer(previous.getPerformer());
		}
		if (next.getExtensionByUrl(REFERRAL_SOURCE) == null && previous.getExtensionByUrl(REFERRAL_SOURCE) != null) {
			next.addExtension(previous.getExtensionByUrl(REFERRAL_SOURCE).copy());
		}
		next.setSubject(previous.getSubject().copy());
		Reference sentRequester = next.getRequester();
		Reference storedRequester = previous.getRequester();
		boolean sameRequester = !sentRequester.hasIdentifier() || (storedRequester.hasIdentifier()
				&& Objects.equals(sentRequester.getIdentifier().getSystem(), storedRequester.getIdentifier().getSystem())
				&& Objects.equals(sentRequester.getIdentifier().getValue(), storedRequester.getIdentifier().getValue()));
		if (!sentRequester.hasReference() && storedRequester.hasReference() && sameRequester) {
			next.setRequester(storedRequester.copy());
		}
		checkSameService(previous, next, context);
		keepServiceReference(previous, next, context);
		Analysis a = analyse(next, context, message);
		// A BaRS referral is keyed by its sender, which only its own messages name; other channels key by the requester's organisation.
		boolean comparable = message.isBars() || !BarsMessages.BARS_REFERRAL_ID.equals(record.key().system());
		if (comparable && !a.key.referrer().equals(record.key().referrer())) {
			throw Outcomes.unprocessable("A referral's referring organisation cannot change: this referral is from " + record.key().referrer()
					+ ", the update names " + a.key.referrer() + ". Cancel it and send a new referral instead", "ServiceRequest.requester");
		}
		if (same(previous, next)) {
			List<ValidationIssue> issues = new ArrayList<>(incoming.warnings());
			issues.add(new ValidationIssue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, "No change: the referral is already as sent", "ServiceRequest"));
			return new WriteOutcome(current, previous, false, false, issues);
		}
		Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		List<ValidationIssue> issues = new ArrayList<>(incoming.warnings());
		WriteOutcome stored = resources.updateNow(current, next, expectedVersion, incoming.method(), incoming.warnings());
		List<Reference> targets = new ArrayList<>(List.of(new Reference(stored.stored().versionedId())));
		// The Task is always written with the referral; without it there is no provider to tell.
		StoredResource taskStored = store.lockCurrent("Task", record.taskId()).orElse(null);
		if (taskStored != null) {
			Task task = (Task) resources.toResource(taskStored);
			boolean cancelled = (after == ServiceRequestStatus.REVOKED || after == ServiceRequestStatus.ENTEREDINERROR) && before != after;
			if (ReferralTasks.TERMINAL.contains(task.getStatus())) {
				issues.add(new ValidationIssue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, "The provider's Task/" + record.taskId() + " is already "
						+ task.getStatus().toCode() + "; it was not changed", "ServiceRequest"));
			} else {
				if (cancelled) {
					String reason = cancellationReason(previous, next, after, message);
					ReferralTasks.cancel(task, reason, now);
					issues.add(new ValidationIssue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, "Referral withdrawn: the provider's Task/"
							+ record.taskId() + " is cancelled (" + reason + ")", "ServiceRequest.status"));
				} else {
					ReferralTasks.referralChanged(task, stored.stored().versionedId(), now);
					issues.add(new ValidationIssue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, "Referral changed: stored as version "
							+ stored.stored().version() + "; the provider's Task/" + record.taskId() + " notes the change", "ServiceRequest"));
				}
				targets.add(new Reference(resources.updateNow(taskStored, task, null, "PUT", List.of()).stored().versionedId()));
			}
		}
		Reference referrer = next.getRequester();
		resources.createNow(ReferralProvenance.of(targets, false, now, referrer, null, sendingOrganisation(message), message), ResourceStore.newId(),
				List.of());
		return new WriteOutcome(stored.stored(), next, false, true, issues);
	}

	/** The referral's identity cannot change: its identifier, the person and the referring organisation. */
	private void checkUnchanged(ServiceRequest previous, ServiceRequest next, ReferralRecords.Referral record) {
		boolean keyKept = next.getIdentifier().stream().anyMatch(i -> record.key().system().equals(i.getSystem()) && record.key().value().equals(i.getValue()));
		if (!keyKept) {
			throw Outcomes.unprocessable("A referral's identifier cannot change: this referral is " + record.key().system() + "|" + record.key().value()
					+ ". To send a different referral, create a new one", "ServiceRequest.identifier");
		}
		Reference before = previous.getSubject();
		Reference after = next.getSubject();
		boolean samePerson = (after.hasReference() && after.getReference().equals(before.getReference()))
				|| (after.hasIdentifier() && before.hasIdentifier() && Objects.equals(after.getIdentifier().getValue(), before.getIdentifier().getValue()))
				|| (!after.hasReference() && !after.hasIdentifier());
		if (!samePerson) {
			throw Outcomes.unprocessable("A referral's subject cannot change: cancel this referral and send a new one for the other person",
					"ServiceRequest.subject");
		}
	}

	private static void checkTransition(ServiceRequestStatus before, ServiceRequestStatus after) {
		Set<ServiceRequestStatus> closed = Set.of(ServiceRequestStatus.REVOKED, ServiceRequestStatus.ENTEREDINERROR, ServiceRequestStatus.COMPLETED);
		if (closed.contains(before) && after != before) {
			throw Outcomes.unprocessable("This referral is " + before.toCode() + " and can no longer change status; send a new referral instead",
					"ServiceRequest.status");
		}
		if (after == ServiceRequestStatus.DRAFT && before != after) {
			throw Outcomes.unprocessable("A referral that has been sent cannot go back to draft; revoke it instead", "ServiceRequest.status");
		}
	}

	private void checkSameService(ServiceRequest previous, ServiceRequest next, WriteContext context) {
		String before = serviceOf(previous, context);
		String after = serviceOf(next, context);
		if (before != null && after != null && !before.equals(after)) {
			throw Outcomes.unprocessable("A referral cannot be moved to another service by updating it: cancel it (status revoked) and send a new"
					+ " referral to the other service", "ServiceRequest.performer");
		}
	}

	/**
	 * The chosen service stays as intake recorded it (a literal reference with its DoS id), however the
	 * update names it: otherwise the new version would drop out of {@code ServiceRequest?performer=HealthcareService/...}.
	 */
	private void keepServiceReference(ServiceRequest previous, ServiceRequest next, WriteContext context) {
		Reference service = null;
		for (Reference p : previous.getPerformer()) {
			LocalReference local = LocalReference.parse(p.getReference());
			if (local != null && local.type().equals("HealthcareService")) {
				service = p;
				break;
			}
		}
		if (service == null) {
			return;
		}
		List<Reference> performers = new ArrayList<>(List.of(service.copy()));
		for (Reference p : next.getPerformer()) {
			if (serviceOf(new ServiceRequest().addPerformer(p), context) == null && !"HealthcareService".equals(typeOfPerformer(p))) {
				performers.add(p);
			}
		}
		next.setPerformer(performers);
	}

	private static String typeOfPerformer(Reference p) {
		LocalReference local = LocalReference.parse(p.getReference());
		if (local != null) {
			return local.type();
		}
		return p.hasIdentifier() && NhsIdentifiers.is(p.getIdentifier().getSystem(), NhsIdentifiers.DOS_SERVICE) ? "HealthcareService" : p.getType();
	}

	private String serviceOf(ServiceRequest referral, WriteContext context) {
		for (Reference p : referral.getPerformer()) {
			LocalReference local = LocalReference.parse(p.getReference());
			if (local != null && local.type().equals("HealthcareService")) {
				return local.id();
			}
			if (p.hasIdentifier() && p.getIdentifier().hasValue()) {
				ServiceListing s = directory.serviceByIdentifier(p.getIdentifier().getSystem(), p.getIdentifier().getValue());
				if (s != null) {
					return s.id();
				}
			}
		}
		return null;
	}

	/** The referrer's reason: the request-statusReason extension, else a note added with the change, else a plain default. */
	private static String cancellationReason(ServiceRequest previous, ServiceRequest next, ServiceRequestStatus after, MessageContext message) {
		Extension reason = next.getExtensionByUrl(STATUS_REASON);
		if (reason != null && reason.getValue() instanceof CodeableConcept cc) {
			String text = Codes.text(cc);
			if (!text.isBlank()) {
				return "Cancelled by the referrer: " + text;
			}
		}
		Set<String> before = previous.getNote().stream().map(Annotation::getText).collect(Collectors.toSet());
		for (int i = next.getNote().size() - 1; i >= 0; i--) {
			String text = next.getNote().get(i).getText();
			if (text != null && !text.isBlank() && !before.contains(text)) {
				return "Cancelled by the referrer: " + text;
			}
		}
		if (message.isBars() && "delete".equals(message.message().reason())) {
			return "Withdrawn by the referrer (BaRS delete)";
		}
		return after == ServiceRequestStatus.ENTEREDINERROR ? "The referrer marked the referral as sent in error" : "Cancelled by the referrer";
	}

	private static boolean same(ServiceRequest a, ServiceRequest b) {
		ServiceRequest x = a.copy();
		ServiceRequest y = b.copy();
		x.setMeta(null);
		y.setMeta(null);
		x.setIdElement(y.getIdElement());
		return x.equalsDeep(y);
	}
}
