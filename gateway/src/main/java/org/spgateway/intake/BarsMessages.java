package org.spgateway.intake;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.LenientErrorHandler;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.PreferReturnEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.MessageHeader;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.directory.ServiceDirectory;
import org.spgateway.fhir.LogSafe;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.fhir.Outcomes;
import org.spgateway.fhir.RequestDeadline;
import org.spgateway.resources.ResourceService;
import org.spgateway.resources.WriteContext;
import org.spgateway.security.AccessScope;
import org.spgateway.security.RequestGate;
import org.spgateway.server.ServedResourceTypes;
import org.spgateway.store.LocalReference;
import org.spgateway.store.StoredResource;
import org.spgateway.transaction.TransactionProcessor;
import org.spgateway.validation.ResourceValidator;
import org.spgateway.validation.ValidationIssue;
import org.spgateway.validation.ValidationReport;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * BaRS referral messages ({@code POST [base]/$process-message}). The message Bundle is validated once,
 * as received; its MessageHeader says what to do (servicerequest-request with reason new, update or
 * delete); its resources then go through exactly the same intake as a transaction Bundle (the Patient
 * matched on NHS number, directory resources matched on identifiers, the referral to referral intake),
 * in one database transaction with the record of the message. The synchronous answer is a BaRS
 * servicerequest-response message: response.code ok with the stored referral and its Task, or
 * fatal-error / transient-error with an OperationOutcome coded with the BaRS error codes. The same
 * Bundle id sent again gets the first answer; a different message under a used Bundle id is a 409
 * (REC_CONFLICT).
 */
public class BarsMessages {

	private static final Logger log = LoggerFactory.getLogger(BarsMessages.class);
	public static final String EVENTS = "https://fhir.nhs.uk/CodeSystem/message-events-bars";
	public static final String REASONS = "https://fhir.nhs.uk/CodeSystem/message-reason-bars";
	public static final String ERROR_CODES = "https://fhir.nhs.uk/Codesystem/http-error-codes";
	/** Matched by their own identifiers (or the NHS number) on every write, never by content. */
	private static final java.util.Set<String> NOT_REUSED = java.util.Set.of("Patient", "Organization", "Practitioner", "PractitionerRole",
			"HealthcareService", "ServiceRequest");
	private static final Pattern ENTRY = Pattern.compile("Bundle\\.entry\\[(\\d+)\\]");
	private static final Pattern ENTRY_PREFIX = Pattern.compile("^Bundle\\.entry\\[\\d+\\] \\((?:POST|PUT|PATCH|GET) [^)]*\\): ");

	private final FhirContext fhirContext;
	private final ResourceValidator validator;
	private final TransactionProcessor processor;
	private final ResourceService resources;
	private final ServiceDirectory directory;
	private final ReferralIntake intake;
	private final ReferralRecords records;
	private final TransactionTemplate transactions;
	private final IntakeProperties settings;
	private final String softwareVersion;

	public BarsMessages(FhirContext fhirContext, ResourceValidator validator, TransactionProcessor processor, ResourceService resources,
			ServiceDirectory directory, ReferralIntake intake, ReferralRecords records, TransactionTemplate transactions, IntakeProperties settings,
			String softwareVersion) {
		this.fhirContext = fhirContext;
		this.validator = validator;
		this.processor = processor;
		this.resources = resources;
		this.directory = directory;
		this.intake = intake;
		this.records = records;
		this.transactions = transactions;
		this.settings = settings;
		this.softwareVersion = softwareVersion;
	}

	/** The HTTP answer: status and a FHIR resource (a message Bundle, or an OperationOutcome when the request is not a message at all). */
	public record Answer(int status, Resource body) {}

	public Answer process(RequestDetails request, byte[] body, EncodingEnum encoding) {
		String bundleId = null;
		Map<Integer, Integer> toMessage = new HashMap<>();
		try {
			String raw = new String(body, StandardCharsets.UTF_8);
			Bundle message = parse(raw, encoding);
			bundleId = message.getIdElement().getIdPart();
			String messageId = bundleId;
			String fingerprint = fingerprint(message);
			ValidationReport report = validator.validate(raw, encoding, "Bundle", null);
			if (report.hasErrors()) {
				throw Outcomes.unprocessable(report.issues());
			}
			MessageHeader header = (MessageHeader) message.getEntryFirstRep().getResource();
			String reason = checkHeader(header);
			ServiceRequest referral = focus(message, header);
			Answer replayed = transactions.execute(tx -> replay(messageId, fingerprint));
			if (replayed != null) {
				return replayed;
			}
			try {
				return transactions.execute(tx -> handle(request, message, header, referral, reason, fingerprint, report, toMessage));
			} catch (AlreadyAnswered e) {
				// Another request with the same Bundle id committed first: its answer stands.
				Answer stored = transactions.execute(tx -> replay(messageId, fingerprint));
				if (stored != null) {
					return stored;
				}
				throw e;
			}
		} catch (BaseServerResponseException e) {
			return error(request, bundleId, e, toMessage);
		} catch (RuntimeException e) {
			if (RequestDeadline.cutOff(e)) {
				return error(request, bundleId, RequestDeadline.exceeded(), toMessage);
			}
			// The request id (in every log line) finds the message; its messages may quote the payload, so they are redacted.
			log.error("A BaRS message could not be processed", LogSafe.redacted(e));
			return error(request, bundleId, new ca.uhn.fhir.rest.server.exceptions.InternalErrorException("The gateway could not process this message;"
					+ " nothing was stored. Send it again later; quote request id " + org.slf4j.MDC.get(org.spgateway.server.RequestIdFilter.MDC_REQUEST_ID)),
					toMessage);
		}
	}

	// ---------------------------------------------------------------- checks

	private Bundle parse(String raw, EncodingEnum encoding) {
		if (raw.isBlank()) {
			throw Outcomes.invalid("The request has no body; $process-message takes a BaRS message Bundle", null);
		}
		IParser parser = (encoding == EncodingEnum.XML ? fhirContext.newXmlParser() : fhirContext.newJsonParser())
				.setParserErrorHandler(new LenientErrorHandler(false));
		Resource parsed;
		try {
			parsed = (Resource) parser.parseResource(raw);
		} catch (DataFormatException e) {
			throw Outcomes.invalid("The body could not be read as FHIR: " + e.getMessage().replaceFirst("^HAPI-\\d+: ", ""), null);
		}
		if (!(parsed instanceof Bundle bundle) || bundle.getType() != Bundle.BundleType.MESSAGE) {
			throw Outcomes.invalid("$process-message takes a Bundle of type message; the body is " + (parsed instanceof Bundle b
					? "a Bundle of type " + (b.hasType() ? b.getType().toCode() : "(none)") : "a " + parsed.fhirType()), "Bundle.type");
		}
		if (!bundle.getIdElement().hasIdPart()) {
			throw Outcomes.invalid("The message Bundle needs an id: it identifies the message (the answer's MessageHeader.response.identifier) and makes"
					+ " resending it safe", "Bundle.id");
		}
		if (bundle.getEntry().isEmpty() || !(bundle.getEntryFirstRep().getResource() instanceof MessageHeader)) {
			throw Outcomes.invalid("The first entry of a message Bundle must be its MessageHeader", "Bundle.entry[0]");
		}
		return bundle;
	}

	/** servicerequest-request with reason new, update or delete; returns the reason. */
	private static String checkHeader(MessageHeader header) {
		Coding event = header.hasEventCoding() ? header.getEventCoding() : null;
		if (event == null || !"servicerequest-request".equals(event.getCode()) || !sameSystem(event.getSystem(), EVENTS)) {
			throw Outcomes.unprocessable("This gateway takes BaRS referrals: MessageHeader.eventCoding must be " + EVENTS + "|servicerequest-request, not "
					+ (event == null ? "(none)" : event.getSystem() + "|" + event.getCode()), "Bundle.entry[0].resource.eventCoding");
		}
		Coding reason = header.getReason().getCoding().stream().filter(c -> sameSystem(c.getSystem(), REASONS)).findFirst()
				.orElse(header.getReason().getCodingFirstRep());
		if (!reason.hasCode()) {
			throw Outcomes.invalid("MessageHeader.reason is required: " + REASONS + " new, update or delete", "Bundle.entry[0].resource.reason");
		}
		if (!List.of("new", "update", "delete").contains(reason.getCode())) {
			throw Outcomes.unprocessable("MessageHeader.reason " + reason.getCode() + " is not one this gateway handles: new, update or delete",
					"Bundle.entry[0].resource.reason");
		}
		return reason.getCode();
	}

	/** Accepts http and https, and either case of the path, for the NHS code systems. */
	private static boolean sameSystem(String system, String canonical) {
		return system != null && system.replaceFirst("^http:", "https:").equalsIgnoreCase(canonical);
	}

	private static ServiceRequest focus(Bundle message, MessageHeader header) {
		Map<String, Resource> byUrl = new HashMap<>();
		List<ServiceRequest> all = new ArrayList<>();
		for (BundleEntryComponent e : message.getEntry()) {
			if (e.hasFullUrl()) {
				byUrl.put(e.getFullUrl(), e.getResource());
			}
			if (e.getResource() instanceof ServiceRequest sr) {
				all.add(sr);
			}
		}
		for (Reference focus : header.getFocus()) {
			if (byUrl.get(focus.getReference()) instanceof ServiceRequest sr) {
				return sr;
			}
		}
		if (all.size() == 1) {
			return all.get(0);
		}
		throw Outcomes.unprocessable("MessageHeader.focus must point at the referral: the ServiceRequest entry of this message", "Bundle.entry[0].resource.focus");
	}

	// ---------------------------------------------------------------- processing

	private Answer replay(String bundleId, String fingerprint) {
		ReferralRecords.Message first = records.findMessage(bundleId).orElse(null);
		if (first == null) {
			return null;
		}
		if (!first.fingerprint().equals(fingerprint)) {
			String text = "Bundle id " + bundleId + " was already used for a different message; a new message needs a new Bundle id";
			throw new ResourceVersionConflictException(text, Outcomes.single(IssueSeverity.ERROR, IssueType.DUPLICATE, text, "Bundle.id"));
		}
		return new Answer(200, (Resource) fhirContext.newJsonParser().parseResource(first.response()));
	}

	private Answer handle(RequestDetails request, Bundle message, MessageHeader header, ServiceRequest referral, String reason, String fingerprint,
			ValidationReport report, Map<Integer, Integer> toMessage) {
		Map<String, Resource> entries = new HashMap<>();
		message.getEntry().stream().filter(BundleEntryComponent::hasFullUrl).forEach(e -> entries.put(e.getFullUrl(), e.getResource()));
		WriteContext context = new WriteContext(request, RequestGate.scopeOf(request), true, entries);
		Organisation sender = sender(header, entries);
		MessageContext.BarsMessage bars = new MessageContext.BarsMessage(message.getIdElement().getIdPart(), reason, sender.ods, sender.name,
				header.getSource().getEndpoint(), software(header));
		BarsHeaders.attach(context, bars, settings.isRequireBarsHeaders());

		List<ValidationIssue> notes = new ArrayList<>();
		String referralId;
		if ("new".equals(reason)) {
			ReferralRecords.Referral previous = intake.previous(referral, context);
			if (previous != null) {
				notes.add(info("This referral was received before (message " + message.getIdElement().getIdPart() + " is a resend, or carries the same"
						+ " referral): ServiceRequest/" + previous.serviceRequestId() + ", Task/" + previous.taskId() + "; nothing new was stored"));
				referralId = previous.serviceRequestId();
			} else {
				referralId = apply(request, message, referral, null, report, notes, toMessage);
			}
		} else {
			ReferralRecords.Referral existing = intake.byIdentifier(referral, context);
			if (existing == null) {
				throw new ResourceNotFoundException("No referral with identifier " + referral.getIdentifierFirstRep().getSystem() + "|"
						+ referral.getIdentifierFirstRep().getValue() + " has been received from this sender; send it with reason new first");
			}
			if ("delete".equals(reason) && referral.getStatus() != ServiceRequest.ServiceRequestStatus.REVOKED) {
				// The gateway never deletes a referral: a withdrawn one is marked as sent in error and its Task cancelled.
				referral.setStatus(ServiceRequest.ServiceRequestStatus.ENTEREDINERROR);
			}
			referralId = apply(request, message, referral, existing, report, notes, toMessage);
		}
		Bundle response = okResponse(request, message, header, sender, referralId, notes);
		String json = fhirContext.newJsonParser().encodeResourceToString(response);
		if (!records.insertMessage(new ReferralRecords.Message(message.getIdElement().getIdPart(), fingerprint, referralId, json))) {
			throw new AlreadyAnswered();
		}
		return new Answer(200, response);
	}

	/** The message's resources as a transaction, through the same writes as a transaction Bundle; returns the referral's id. */
	private String apply(RequestDetails request, Bundle message, ServiceRequest referral, ReferralRecords.Referral existing, ValidationReport report,
			List<ValidationIssue> notes, Map<Integer, Integer> toMessage) {
		Map<String, String> reuse = new HashMap<>(existing == null ? Map.of() : reusable(message, existing));
		containFreeTextResponses(message, referral, reuse, notes);
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		List<String> dropped = new ArrayList<>();
		Map<Integer, List<ValidationIssue>> warnings = new HashMap<>();
		int referralEntry = -1;
		for (int i = 1; i < message.getEntry().size(); i++) {
			BundleEntryComponent entry = message.getEntry().get(i);
			Resource resource = entry.getResource();
			String type = resource.fhirType();
			String fullUrl = entry.hasFullUrl() ? entry.getFullUrl() : "urn:uuid:" + UUID.randomUUID();
			if (reuse.containsKey(fullUrl)) {
				continue;
			}
			if (!ServedResourceTypes.WRITABLE.contains(type) || (resource instanceof HealthcareService hs && !inDirectory(hs))) {
				dropped.add(fullUrl);
				notes.add(ValidationIssue.warning(IssueType.INFORMATIONAL, "Bundle.entry[" + i + "] (" + type + ") was not kept: "
						+ (resource instanceof HealthcareService ? "the service is not in the gateway's directory" : "the gateway does not store " + type
								+ " resources") + "; references to it keep only their identifier and display", "Bundle.entry[" + i + "]"));
				continue;
			}
			BundleEntryComponent tx = transaction.addEntry().setFullUrl(fullUrl).setResource(resource);
			int index = transaction.getEntry().size() - 1;
			toMessage.put(index, i);
			if (resource == referral) {
				referralEntry = index;
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
		Bundle result = processor.applyValidatedTransaction(transaction, warnings, PreferReturnEnum.OPERATION_OUTCOME, request);
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
	 * A QuestionnaireResponse that names no Questionnaire (free-text referral questions) is not an
	 * outcome response, which outcome capture requires to name its instrument: it travels inside the
	 * referral (contained, referred to from supportingInfo) so that nothing the sender wrote is lost.
	 */
	private void containFreeTextResponses(Bundle message, ServiceRequest referral, Map<String, String> reuse, List<ValidationIssue> notes) {
		int n = 0;
		for (int i = 1; i < message.getEntry().size(); i++) {
			BundleEntryComponent entry = message.getEntry().get(i);
			if (entry.getResource() instanceof org.hl7.fhir.r4.model.QuestionnaireResponse qr && !qr.hasQuestionnaire() && entry.hasFullUrl()
					&& !reuse.containsKey(entry.getFullUrl())) {
				String localId = "qr" + (++n);
				org.hl7.fhir.r4.model.QuestionnaireResponse contained = qr.copy();
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
		ServiceRequest stored = (ServiceRequest) resources.toResource(resources.read("ServiceRequest", existing.serviceRequestId(), AccessScope.UNRESTRICTED));
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

	private record Organisation(String ods, String name, Reference reference) {}

	/** MessageHeader.sender's organisation (an Organization, or a PractitionerRole's organization). */
	private Organisation sender(MessageHeader header, Map<String, Resource> entries) {
		Reference ref = header.getSender();
		Resource r = entries.get(ref.getReference());
		if (r instanceof PractitionerRole role) {
			ref = role.getOrganization();
			r = entries.get(ref.getReference());
		}
		if (r instanceof Organization org) {
			return new Organisation(NhsIdentifiers.valueOf(org.getIdentifier(), NhsIdentifiers.ODS_ORGANIZATION), org.getName(), ref);
		}
		if (ref.hasIdentifier() && NhsIdentifiers.is(ref.getIdentifier().getSystem(), NhsIdentifiers.ODS_ORGANIZATION)) {
			return new Organisation(ref.getIdentifier().getValue(), ref.getDisplay(), ref);
		}
		return new Organisation(null, null, ref);
	}

	private static String software(MessageHeader header) {
		MessageHeader.MessageSourceComponent source = header.getSource();
		if (!source.hasSoftware() && !source.hasName()) {
			return null;
		}
		return (source.hasSoftware() ? source.getSoftware() : source.getName()) + (source.hasVersion() ? " " + source.getVersion() : "");
	}

	// ---------------------------------------------------------------- answers

	private Bundle okResponse(RequestDetails request, Bundle message, MessageHeader requestHeader, Organisation sender, String referralId,
			List<ValidationIssue> notes) {
		String base = request.getFhirServerBase();
		StoredResource referral = resources.read("ServiceRequest", referralId, AccessScope.UNRESTRICTED);
		ReferralRecords.Referral record = records.findByServiceRequest(referralId).orElse(null);
		StoredResource task = record == null ? null : resources.read("Task", record.taskId(), AccessScope.UNRESTRICTED);
		Bundle response = responseBundle();
		MessageHeader header = responseHeader(request, message, requestHeader, sender, "ok");
		response.addEntry().setFullUrl("urn:uuid:" + header.getIdElement().getIdPart()).setResource(header);
		response.addEntry().setFullUrl(base + "/ServiceRequest/" + referralId).setResource(resources.toResource(referral));
		header.addFocus(new Reference(base + "/ServiceRequest/" + referralId));
		if (task != null) {
			Task t = (Task) resources.toResource(task);
			response.addEntry().setFullUrl(base + "/Task/" + task.id()).setResource(t);
			header.addFocus(new Reference(base + "/Task/" + task.id()));
			if (t.hasOwner()) {
				header.setSender(t.getOwner().copy());
			}
		}
		if (!notes.isEmpty()) {
			OperationOutcome outcome = Outcomes.of(notes);
			String url = "urn:uuid:" + UUID.randomUUID();
			response.addEntry().setFullUrl(url).setResource(outcome);
			header.getResponse().setDetails(new Reference(url));
		}
		return response;
	}

	private Answer error(RequestDetails request, String bundleId, BaseServerResponseException e, Map<Integer, Integer> toMessage) {
		OperationOutcome outcome = Outcomes.outcomeOf(e).copy();
		int status = e.getStatusCode();
		String code = switch (status) {
			case 400 -> "REC_BAD_REQUEST";
			case 404 -> "REC_NOT_FOUND";
			case 405 -> "REC_METHOD_NOT_ALLOWED";
			case 409, 412 -> "REC_CONFLICT";
			case 413, 422 -> "REC_UNPROCESSABLE_ENTITY";
			default -> status >= 500 ? "REC_SERVER_ERROR" : "REC_BAD_REQUEST";
		};
		for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
			if (issue.hasDiagnostics()) {
				issue.setDiagnostics(toMessageIndexes(ENTRY_PREFIX.matcher(issue.getDiagnostics().replaceAll("HAPI-\\d+: ", "")).replaceFirst(""),
						toMessage));
			}
			List<StringType> expressions = new ArrayList<>();
			for (StringType x : issue.getExpression()) {
				expressions.add(new StringType(toMessageIndexes(x.getValue(), toMessage)));
			}
			issue.setExpression(expressions);
			if (issue.getSeverity() == IssueSeverity.ERROR || issue.getSeverity() == IssueSeverity.FATAL) {
				issue.getDetails().addCoding(new Coding(ERROR_CODES, code, code.replace("REC_", "").replace('_', ' ').toLowerCase()));
			}
		}
		if (status >= 500) {
			// Never a stack trace; already logged.
			outcome.getIssueFirstRep().setCode(IssueType.TRANSIENT);
		}
		if (bundleId == null) {
			return new Answer(status, outcome);
		}
		Bundle response = responseBundle();
		MessageHeader header = new MessageHeader();
		header.setId(UUID.randomUUID().toString());
		header.setEvent(new Coding(EVENTS, "servicerequest-response", "Service request response"));
		header.getSource().setName("Social Prescribing FHIR Gateway").setSoftware("Social Prescribing FHIR Gateway").setVersion(softwareVersion)
				.setEndpoint(request.getFhirServerBase() + "/$process-message");
		header.getResponse().setIdentifier(bundleId).setCode(status >= 500 ? MessageHeader.ResponseType.TRANSIENTERROR : MessageHeader.ResponseType.FATALERROR);
		String url = "urn:uuid:" + UUID.randomUUID();
		header.getResponse().setDetails(new Reference(url));
		response.addEntry().setFullUrl("urn:uuid:" + header.getIdElement().getIdPart()).setResource(header);
		response.addEntry().setFullUrl(url).setResource(outcome);
		return new Answer(status, response);
	}

	private static String toMessageIndexes(String text, Map<Integer, Integer> toMessage) {
		if (text == null || toMessage.isEmpty()) {
			return text;
		}
		Matcher m = ENTRY.matcher(text);
		StringBuilder out = new StringBuilder();
		while (m.find()) {
			Integer mapped = toMessage.get(Integer.parseInt(m.group(1)));
			m.appendReplacement(out, "Bundle.entry[" + (mapped == null ? m.group(1) : mapped) + "]");
		}
		m.appendTail(out);
		return out.toString();
	}

	private static Bundle responseBundle() {
		Bundle response = new Bundle().setType(Bundle.BundleType.MESSAGE);
		response.setId(UUID.randomUUID().toString());
		response.setTimestamp(new Date());
		return response;
	}

	private MessageHeader responseHeader(RequestDetails request, Bundle message, MessageHeader requestHeader, Organisation sender, String code) {
		MessageHeader header = new MessageHeader();
		header.setId(UUID.randomUUID().toString());
		header.setEvent(new Coding(EVENTS, "servicerequest-response", "Service request response"));
		if (requestHeader.getSource().hasEndpoint()) {
			MessageHeader.MessageDestinationComponent destination = header.addDestination().setEndpoint(requestHeader.getSource().getEndpoint());
			if (sender.ods() != null) {
				destination.setReceiver(new Reference().setIdentifier(new Identifier().setSystem(NhsIdentifiers.ODS_ORGANIZATION).setValue(sender.ods()))
						.setDisplay(sender.name()));
			}
		}
		header.getSource().setName("Social Prescribing FHIR Gateway").setSoftware("Social Prescribing FHIR Gateway").setVersion(softwareVersion)
				.setEndpoint(request.getFhirServerBase() + "/$process-message");
		header.getResponse().setIdentifier(message.getIdElement().getIdPart()).setCode(MessageHeader.ResponseType.fromCode(code));
		return header;
	}

	private static ValidationIssue info(String text) {
		return new ValidationIssue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, text, null);
	}

	/** The message, less what changes from one send to the next (meta, timestamp), as a hash. */
	private String fingerprint(Bundle message) {
		Bundle copy = message.copy();
		copy.setMeta(null);
		copy.setTimestampElement(null);
		String json = fhirContext.newJsonParser().encodeResourceToString(copy);
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8)));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	/** The Bundle id was recorded by a concurrent request while this one ran: roll back and answer as that one did. */
	private static final class AlreadyAnswered extends RuntimeException {
		AlreadyAnswered() {
			super("message answered concurrently", null, false, false);
		}
	}
}
