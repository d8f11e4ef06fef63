package org.spgateway.intake;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.LenientErrorHandler;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
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
import java.util.Optional;
import java.util.UUID;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.r4.model.Base;
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
import org.hl7.fhir.r4.model.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.spgateway.database.DatabaseFaults;
import org.spgateway.access.ReferralParties;
import org.spgateway.directory.ServiceDirectory;
import org.spgateway.fhir.LogSafe;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.fhir.LibraryMessages;
import org.spgateway.fhir.Outcomes;
import org.spgateway.fhir.RequestDeadline;
import org.spgateway.resources.ResourceService;
import org.spgateway.resources.IncomingTranslation;
import org.spgateway.resources.WriteContext;
import org.spgateway.security.AccessScope;
import org.spgateway.security.RequestGate;
import org.spgateway.server.RequestIdFilter;
import org.spgateway.server.ServedResourceTypes;
import org.spgateway.store.StoredResource;
import org.spgateway.transaction.TransactionProcessor;
import org.spgateway.validation.ResourceValidator;
import org.spgateway.validation.ValidationIssue;
import org.spgateway.validation.ValidationReport;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * BaRS referral messages ({@code POST [base]/$process-message}), shaped as the national guide's examples
 * send them. The message Bundle is validated once, as received: the referral against sp-bars-referral
 * (no identifier needed), the sender's own workflow resources (its Task, Encounter, CarePlan ...) against
 * the base specification and their declared profiles only. Its MessageHeader says what to do
 * (servicerequest-request with reason new, update or delete); the referral is identified by its sender
 * and its entry's fullUrl, the same in every message about it. The message's resources then go through
 * the same intake as a transaction Bundle (the Patient matched on NHS number, directory resources on
 * identifiers, the referral to referral intake), except the sender's context, which is stored as sent
 * and tagged (see {@link SenderContext}), all in one database transaction with the record of the
 * message and of its X-Request-Id.
 *
 * <p>Answers: 200 with a servicerequest-response message (the stored referral and its Task); a refusal is
 * the HTTP status with an OperationOutcome coded from BaRS's http-error-codes ({@link BarsErrors}). The
 * same Bundle id sent again under a new X-Request-Id gets the first answer; a different message under a
 * used Bundle id, and any message under a used X-Request-Id, is a 409 (REC_CONFLICT).
 */
public class BarsMessages {

	private static final Logger log = LoggerFactory.getLogger(BarsMessages.class);
	public static final String EVENTS = "https://fhir.nhs.uk/CodeSystem/message-events-bars";
	public static final String REASONS = "https://fhir.nhs.uk/CodeSystem/message-reason-bars";
	public static final String ERROR_CODES = BarsErrors.ERROR_CODES;
	/** The identifier the gateway gives a BaRS referral: the referral entry's fullUrl, assigned by its sender. */
	public static final String BARS_REFERRAL_ID = "https://spgateway.org/fhir/Id/bars-referral";
	static final String BARS_REFERRAL_PROFILE = "https://spgateway.org/fhir/StructureDefinition/sp-bars-referral";
	/**
	 * What a message's entries are validated against instead of the gateway's required profiles: the
	 * referral against sp-bars-referral; the sender's context (a Task is always the sender's: the gateway
	 * makes its own) and a HealthcareService (matched to the directory or not kept) against the base
	 * specification and their own declared profiles only. The Patient and the rest of the directory keep
	 * their required profiles.
	 */
	private static final Map<String, String> ENTRY_PROFILES = entryProfiles();

	private static Map<String, String> entryProfiles() {
		Map<String, String> profiles = new HashMap<>();
		for (String type : ServedResourceTypes.WRITABLE) {
			if (SenderContext.isContextType(type)) {
				profiles.put(type, "");
			}
		}
		profiles.put("HealthcareService", "");
		profiles.put("ServiceRequest", BARS_REFERRAL_PROFILE);
		return Map.copyOf(profiles);
	}

	private final FhirContext fhirContext;
	private final ResourceValidator validator;
	private final TransactionProcessor processor;
	private final ResourceService resources;
	private final ServiceDirectory directory;
	private final ReferralIntake intake;
	private final ReferralRecords records;
	private final BarsRequests requests;
	private final BarsMessageTransaction messageTransaction;
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
		this.requests = new BarsRequests(records);
		this.messageTransaction = new BarsMessageTransaction(fhirContext, processor, resources, directory);
		this.transactions = transactions;
		this.settings = settings;
		this.softwareVersion = softwareVersion;
	}

	/**
	 * The HTTP answer: status and a FHIR resource (a message Bundle when processed, an OperationOutcome when refused), and
	 * headers a refusal carries (Retry-After on a 503).
	 */
	public record Answer(int status, Resource body, Map<String, List<String>> headers) {

		Answer(int status, Resource body) {
			this(status, body, Map.of());
		}

		static Answer refused(BaseServerResponseException e, Map<Integer, Integer> toMessage) {
			return new Answer(e.getStatusCode(), BarsErrors.outcome(e, toMessage), Map.copyOf(e.getResponseHeaders()));
		}
	}

	public Answer process(RequestDetails request, byte[] body, EncodingEnum encoding) {
		String bundleId = null;
		Map<Integer, Integer> toMessage = new HashMap<>();
		try {
			BarsRequests.checkVersion(request.getHeader(Constants.HEADER_ACCEPT));
			String raw = new String(body, StandardCharsets.UTF_8);
			Bundle message = parse(raw, encoding);
			bundleId = message.getIdElement().getIdPart();
			String messageId = bundleId;
			String fingerprint = fingerprint(message);
			String requestId = BarsRequests.callerRequestId(request);
			transactions.executeWithoutResult(tx -> requests.checkUnused(requestId, fingerprint));
			// Partner mappings: a referral in a partner's dialect is translated first, and the message validated with its translation.
			ValidationReport report = validateWithTranslation(request, message, raw, encoding);
			if (report.hasErrors()) {
				throw Outcomes.unprocessable(report.issues());
			}
			MessageHeader header = (MessageHeader) message.getEntryFirstRep().getResource();
			String reason = checkHeader(header);
			ServiceRequest referral = focus(message, header);
			Answer replayed = transactions.execute(tx -> replay(messageId, fingerprint, requestId));
			if (replayed != null) {
				return replayed;
			}
			try {
				return transactions.execute(tx -> handle(request, message, header, referral, reason, fingerprint, requestId, report, toMessage));
			} catch (AlreadyAnswered e) {
				// Another request with the same Bundle id committed first: its answer stands.
				Answer stored = transactions.execute(tx -> replay(messageId, fingerprint, requestId));
				if (stored != null) {
					return stored;
				}
				throw e;
			}
		} catch (BaseServerResponseException e) {
			return Answer.refused(e, toMessage);
		} catch (RuntimeException e) {
			if (RequestDeadline.cutOff(e)) {
				return Answer.refused(RequestDeadline.exceeded(), toMessage);
			}
			Optional<DatabaseFaults.Fault> fault = DatabaseFaults.of(e);
			if (fault.isPresent()) {
				// The database's fault, not the message's: 503 with Retry-After; the sender sends the same message again later.
				log.warn("A BaRS message was refused: database {} (SQLSTATE {})", fault.get(), DatabaseFaults.sqlState(e));
				return Answer.refused(DatabaseFaults.answer(fault.get()), toMessage);
			}
			// The request id (in every log line) finds the message; its messages may quote the payload, so they are redacted.
			log.error("A BaRS message could not be processed", LogSafe.redacted(e));
			return new Answer(500, BarsErrors.outcome(new InternalErrorException("The gateway could not process this message;"
					+ " nothing was stored. Send it again later; quote request id " + MDC.get(RequestIdFilter.MDC_REQUEST_ID)), toMessage));
		}
	}

	/**
	 * The message's validation. When a partner's inbound map translates its referral (see IncomingTranslation), the message as
	 * sent is validated with the referral against the base specification only, the referral entry is replaced by its
	 * translation, and the message is validated again as usual (the referral against sp-bars-referral); otherwise the usual one
	 * validation of the message as sent.
	 */
	private ValidationReport validateWithTranslation(RequestDetails request, Bundle message, String raw, EncodingEnum encoding) {
		WriteContext context = new WriteContext(request, RequestGate.scopeOf(request), true);
		Integer index = null;
		IncomingTranslation.Translation translation = null;
		for (int i = 0; i < message.getEntry().size() && translation == null; i++) {
			if (message.getEntry().get(i).getResource() instanceof ServiceRequest sent) {
				translation = resources.translationOf(sent, context);
				index = i;
			}
		}
		if (translation == null) {
			return validator.validateMessage(raw, encoding, ENTRY_PROFILES);
		}
		Map<String, String> asSent = new HashMap<>(ENTRY_PROFILES);
		asSent.put("ServiceRequest", "");
		ValidationReport sent = validator.validateMessage(raw, encoding, asSent);
		if (sent.hasErrors()) {
			return sent;
		}
		String at = "Bundle.entry[" + index + "].resource";
		Resource made;
		try {
			made = translation.apply().apply(message.getEntry().get(index).getResource());
		} catch (BaseServerResponseException failure) {
			List<ValidationIssue> issues = new ArrayList<>();
			Outcomes.outcomeOf(failure).getIssue()
					.forEach(i -> issues.add(new ValidationIssue(i.getSeverity(), i.getCode(), i.getDiagnostics(), at)));
			return new ValidationReport(issues);
		}
		message.getEntry().get(index).setResource(made);
		List<ValidationIssue> issues = new ArrayList<>();
		issues.add(new ValidationIssue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, "Translated by " + translation.by()
				+ " into the gateway's referral, which was validated and is what was processed", at));
		issues.addAll(validator.validateMessage(fhirContext.newJsonParser().encodeResourceToString(message), EncodingEnum.JSON, ENTRY_PROFILES)
				.issues());
		return new ValidationReport(issues);
	}

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
			// BaRS answers are built here, not by the server's exception sanitizer: drop HAPI's codes and Java names.
			throw Outcomes.invalid("The body could not be read as FHIR: " + LibraryMessages.plain(String.valueOf(e.getMessage())), null);
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

	private static BundleEntryComponent entryOf(Bundle message, Resource resource) {
		return message.getEntry().stream().filter(e -> e.getResource() == resource).findFirst().orElseThrow();
	}

	/** The referral entry's fullUrl: with the sender, the referral's identity in every message about it. */
	static String referralUrl(Bundle message, ServiceRequest referral) {
		for (int i = 0; i < message.getEntry().size(); i++) {
			BundleEntryComponent e = message.getEntry().get(i);
			if (e.getResource() == referral) {
				if (!e.hasFullUrl()) {
					throw Outcomes.invalid("The referral's entry needs a fullUrl: with the sender it identifies the referral, and the update and delete"
							+ " messages for it carry the same one", "Bundle.entry[" + i + "].fullUrl");
				}
				return e.getFullUrl();
			}
		}
		throw new IllegalStateException("focus is an entry of the message");
	}

	// ---------------------------------------------------------------- processing

	private Answer replay(String bundleId, String fingerprint, String requestId) {
		ReferralRecords.Message first = records.findMessage(bundleId).orElse(null);
		if (first == null) {
			return null;
		}
		if (!first.fingerprint().equals(fingerprint)) {
			String text = "Bundle id " + bundleId + " was already used for a different message; a new message needs a new Bundle id";
			throw new ResourceVersionConflictException(text, Outcomes.single(IssueSeverity.ERROR, IssueType.DUPLICATE, text, "Bundle.id"));
		}
		if (!requests.record(requestId, fingerprint, bundleId)) {
			throw new AlreadyAnswered();
		}
		return new Answer(200, (Resource) fhirContext.newJsonParser().parseResource(first.response()));
	}

	private Answer handle(RequestDetails request, Bundle message, MessageHeader header, ServiceRequest referral, String reason,
			String fingerprint, String requestId, ValidationReport report, Map<Integer, Integer> toMessage) {
		Map<String, Resource> entries = new HashMap<>();
		message.getEntry().stream().filter(BundleEntryComponent::hasFullUrl).forEach(e -> entries.put(e.getFullUrl(), e.getResource()));
		WriteContext context = new WriteContext(request, RequestGate.scopeOf(request), true, entries);
		Organisation sender = sender(header, entries);
		ReferralParties.requireSender(request, sender.ods);
		String referralUrl = referralUrl(message, referral);
		String senderKey = sender.ods != null ? sender.ods : header.getSource().getEndpoint();
		MessageContext.BarsMessage bars = new MessageContext.BarsMessage(message.getIdElement().getIdPart(), reason, sender.ods, sender.name,
				header.getSource().getEndpoint(), software(header), senderKey, referralUrl);
		BarsHeaders.attach(context, bars, settings.isRequireBarsHeaders());

		List<ValidationIssue> notes = new ArrayList<>();
		String referralId;
		if ("new".equals(reason)) {
			identify(referral, senderKey, sender, referralUrl);
			ReferralRecords.Referral previous;
			try {
				previous = intake.previous(referral, context);
			} catch (BaseServerResponseException e) {
				throw BarsErrors.atEntry(e, message.getEntry().indexOf(entryOf(message, referral)));
			}
			if (previous != null) {
				notes.add(info("This referral was received before (message " + message.getIdElement().getIdPart() + " is a resend, or carries the same"
						+ " referral): ServiceRequest/" + previous.serviceRequestId() + ", Task/" + previous.taskId() + "; nothing new was stored"));
				referralId = previous.serviceRequestId();
			} else {
				referralId = messageTransaction.apply(request, message, referral, null, report, notes, toMessage);
			}
		} else {
			ReferralRecords.Referral existing = records.find(new ReferralRecords.Key(senderKey, BARS_REFERRAL_ID, referralUrl)).orElse(null);
			if (existing == null) {
				throw new ResourceNotFoundException("No referral " + referralUrl + " has been received from " + (sender.ods != null ? sender.ods
						: senderKey) + ": an update or delete message names the referral by the fullUrl its new message gave it; send it with reason"
						+ " new first");
			}
			ServiceRequest stored = (ServiceRequest) resources.toResource(resources.read("ServiceRequest", existing.serviceRequestId(),
					AccessScope.UNRESTRICTED));
			keepWhatIsLeftOut(referral, stored);
			identify(referral, senderKey, sender, referralUrl);
			if ("delete".equals(reason) && referral.getStatus() != ServiceRequest.ServiceRequestStatus.REVOKED) {
				// The gateway never deletes a referral: a withdrawn one is marked as sent in error and its Task cancelled.
				referral.setStatus(ServiceRequest.ServiceRequestStatus.ENTEREDINERROR);
			}
			referralId = messageTransaction.apply(request, message, referral, existing, report, notes, toMessage);
		}
		Bundle response = okResponse(request, message, header, sender, referralId, notes);
		String json = fhirContext.newJsonParser().encodeResourceToString(response);
		if (!records.insertMessage(new ReferralRecords.Message(message.getIdElement().getIdPart(), fingerprint, referralId, json))) {
			throw new AlreadyAnswered();
		}
		if (!requests.record(requestId, fingerprint, message.getIdElement().getIdPart())) {
			throw new AlreadyAnswered();
		}
		return new Answer(200, response);
	}

	/**
	 * The referral's identity on the BaRS path, recorded on it: the entry's fullUrl, assigned by the
	 * sender. BaRS referrals carry no identifier of their own; one the sender does give is kept as sent.
	 */
	private static void identify(ServiceRequest referral, String senderKey, Organisation sender, String referralUrl) {
		boolean present = referral.getIdentifier().stream()
				.anyMatch(i -> BARS_REFERRAL_ID.equals(i.getSystem()) && referralUrl.equals(i.getValue()));
		if (!present) {
			Identifier id = referral.addIdentifier().setSystem(BARS_REFERRAL_ID).setValue(referralUrl);
			id.setAssigner(sender.ods != null ? new Reference().setIdentifier(new Identifier().setSystem(NhsIdentifiers.ODS_ORGANIZATION)
					.setValue(sender.ods)).setDisplay(sender.name) : new Reference().setDisplay(senderKey));
		}
	}

	/**
	 * An update or delete message may carry only what changes: the guide's cancellation sends status,
	 * intent, category, subject and occurrence, nothing else. What it leaves out is what the referral
	 * already says, so each element the message's referral does not have is taken from the stored one.
	 */
	private void keepWhatIsLeftOut(ServiceRequest sent, ServiceRequest stored) {
		for (BaseRuntimeChildDefinition child : fhirContext.getResourceDefinition("ServiceRequest").getChildren()) {
			String name = child.getElementName();
			if (name.equals("id") || name.equals("meta") || name.equals("text")) {
				continue;
			}
			List<IBase> have = child.getAccessor().getValues(sent);
			List<IBase> before = child.getAccessor().getValues(stored);
			if (have.isEmpty() && !before.isEmpty()) {
				for (IBase value : before) {
					child.getMutator().addValue(sent, value instanceof Base base ? base.copy() : value);
				}
			}
		}
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
