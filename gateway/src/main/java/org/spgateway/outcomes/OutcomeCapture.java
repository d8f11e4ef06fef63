package org.spgateway.outcomes;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Observation.ObservationStatus;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseStatus;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.spgateway.fhir.Outcomes;
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
 * Outcome capture: owns every write of a QuestionnaireResponse, however it arrives (REST create or
 * update, transaction or batch entry).
 *
 * <p>A response is checked against the exact Questionnaire version it names ({@link InstrumentCatalog},
 * {@link ResponseRules}); a response to a scored instrument must also be about a Patient and based on
 * an existing referral (ServiceRequest) for that Patient, and a final one must say when it was given.
 * Anything wrong is a 422 that stores nothing. A final (completed or amended) response to a scored
 * instrument is extracted into Observations ({@link ObservationExtractor}), written with the response
 * in one statement of the same transaction, and the referral's review schedule moves on
 * ({@link ReviewSchedule}). When a response is amended, its Observations are updated in place (status
 * amended) and those it no longer supports become entered-in-error, so a score is never counted twice.
 */
public class OutcomeCapture implements ResourceWriteHandler {

	private static final String TYPE = "QuestionnaireResponse";

	private final FhirContext fhirContext;
	private final ResourceService service;
	private final ResourceStore store;
	private final StoreLookup lookup;
	private final AnswerValueSets answerValueSets;
	private final InstrumentCatalog catalog;
	private final ReviewSchedule schedule;
	private final OutcomesProperties properties;

	/** A response that passed every check, with what the checks found out. */
	record Capture(QuestionnaireResponse response, Instrument instrument, String referralId, ServiceRequest referral,
			List<ValidationIssue> warnings) {

		/** Final responses to scored instruments are extracted and move the review schedule on. */
		boolean extracted() {
			return instrument.isScored() && ResponseRules.isFinal(response.getStatus());
		}
	}

	OutcomeCapture(FhirContext fhirContext, ResourceService service, ResourceStore store, StoreLookup lookup, InstrumentCatalog catalog,
			ReviewSchedule schedule, AnswerValueSets answerValueSets, OutcomesProperties properties) {
		this.fhirContext = fhirContext;
		this.answerValueSets = answerValueSets;
		this.service = service;
		this.store = store;
		this.lookup = lookup;
		this.catalog = catalog;
		this.schedule = schedule;
		this.properties = properties;
	}

	@Override
	public String resourceType() {
		return TYPE;
	}

	@Override
	public WriteOutcome create(IncomingResource incoming, String ifNoneExist, WriteContext context) {
		if (ifNoneExist != null && !ifNoneExist.isBlank()) {
			String criteria = criteria(ifNoneExist);
			store.lock(TYPE + "?" + criteria);
			List<StoredResource> matches = service.matchAll(TYPE, criteria, 2);
			if (matches.size() > 1) {
				throw Outcomes.preconditionFailed("If-None-Exist " + criteria + " matches more than one " + TYPE + "; nothing was created");
			}
			if (matches.size() == 1) {
				return new WriteOutcome(matches.get(0), service.toResource(matches.get(0)), false, false, incoming.warnings());
			}
		}
		Capture capture = check((QuestionnaireResponse) incoming.resource(), context.scope(), incoming.warnings());
		return createNew(capture, incoming.newId());
	}

	@Override
	public WriteOutcome update(String id, IncomingResource incoming, Integer expectedVersion, WriteContext context) {
		Optional<StoredResource> current = store.lockCurrent(TYPE, id);
		if (current.isEmpty()) {
			if (expectedVersion != null) {
				throw new ResourceNotFoundException(TYPE + "/" + id + " does not exist, so If-Match cannot match");
			}
			return createNew(check((QuestionnaireResponse) incoming.resource(), context.scope(), incoming.warnings()), id);
		}
		Capture capture = check((QuestionnaireResponse) incoming.resource(), context.scope(), incoming.warnings());
		QuestionnaireResponse previous = fhirContext.newJsonParser().parseResource(QuestionnaireResponse.class, current.get().json());
		WriteOutcome outcome = service.updateNow(current.get(), capture.response(), expectedVersion, incoming.method(), capture.warnings());
		reconcileObservations(id, capture);
		Set<String> referrals = new LinkedHashSet<>();
		if (capture.referralId() != null) {
			referrals.add(capture.referralId());
		}
		referrals.addAll(referralIds(previous));
		referrals.forEach(schedule::recompute);
		return outcome;
	}

	// ---------------------------------------------------------------- checks

	/** The checks every write runs: a 422 listing every problem, or the response ready to store. */
	private Capture check(QuestionnaireResponse response, AccessScope scope, List<ValidationIssue> warnings) {
		List<ValidationIssue> issues = new ArrayList<>();
		Capture capture = inspect(response, scope, warnings, issues);
		if (!issues.isEmpty()) {
			throw Outcomes.unprocessable(issues);
		}
		if (capture.instrument().version() != null && !response.getQuestionnaire().contains("|")) {
			// "url" alone means the current version; record which one that was, so that the response keeps its meaning.
			response.setQuestionnaire(capture.instrument().canonical());
		}
		return capture;
	}

	/** $validate: what a write of this response would be refused for. */
	@Override
	public List<ValidationIssue> check(Resource resource, WriteContext context) {
		List<ValidationIssue> issues = new ArrayList<>();
		Capture capture = inspect((QuestionnaireResponse) resource, context.scope(), List.of(), issues);
		if (capture != null) {
			issues.addAll(capture.warnings());
		}
		return issues;
	}

	private Capture inspect(QuestionnaireResponse response, AccessScope scope, List<ValidationIssue> warnings, List<ValidationIssue> issues) {
		InstrumentCatalog.Resolution resolution = catalog.resolve(response.getQuestionnaire());
		if (!resolution.found()) {
			issues.add(ValidationIssue.error(IssueType.NOTFOUND, resolution.problem(), "QuestionnaireResponse.questionnaire"));
			return null;
		}
		Instrument instrument = resolution.instrument();
		List<ValidationIssue> allWarnings = new ArrayList<>(warnings);
		// A response marked entered-in-error is being withdrawn: its answers no longer matter.
		if (response.getStatus() != QuestionnaireResponseStatus.ENTEREDINERROR) {
			for (ValidationIssue issue : ResponseRules.check(response, instrument, answerValueSets)) {
				(issue.isError() ? issues : allWarnings).add(issue);
			}
		}
		String referralId = null;
		ServiceRequest referral = null;
		if (instrument.isScored()) {
			checkSubject(response, issues);
			int index = referralIndex(response, issues);
			if (index >= 0) {
				referralId = LocalReference.parse(response.getBasedOn().get(index).getReference()).id();
				referral = readReferral(referralId, index, response, scope, issues);
			}
			if (ResponseRules.isFinal(response.getStatus())) {
				checkAuthored(response, issues, allWarnings);
			}
		}
		return new Capture(response, instrument, referralId, referral, allWarnings);
	}

	private static void checkSubject(QuestionnaireResponse response, List<ValidationIssue> issues) {
		LocalReference subject = LocalReference.parse(response.getSubject().getReference());
		if (!response.hasSubject()) {
			issues.add(ValidationIssue.error(IssueType.REQUIRED, "A response to an outcome instrument must name its subject: the Patient"
					+ " it is about (Patient/[id])", "QuestionnaireResponse.subject"));
		} else if (subject == null || !"Patient".equals(subject.type())) {
			issues.add(ValidationIssue.error(IssueType.VALUE, "The subject of a response to an outcome instrument must be a reference to"
					+ " a Patient on this gateway (Patient/[id]), not '" + response.getSubject().getReference() + "'",
					"QuestionnaireResponse.subject"));
		}
	}

	/** The index of the one basedOn reference to a ServiceRequest, or -1 (with an issue) if there is not exactly one. */
	private static int referralIndex(QuestionnaireResponse response, List<ValidationIssue> issues) {
		List<Integer> referrals = new ArrayList<>();
		for (int i = 0; i < response.getBasedOn().size(); i++) {
			LocalReference ref = LocalReference.parse(response.getBasedOn().get(i).getReference());
			if (ref != null && "ServiceRequest".equals(ref.type())) {
				referrals.add(i);
			}
		}
		if (referrals.isEmpty()) {
			issues.add(ValidationIssue.error(IssueType.REQUIRED, "A response to an outcome instrument must be based on the referral it"
					+ " measures: basedOn must reference the referral's ServiceRequest (ServiceRequest/[id])", "QuestionnaireResponse.basedOn"));
			return -1;
		}
		if (referrals.size() > 1) {
			issues.add(ValidationIssue.error(IssueType.VALUE, "A response measures one referral, but basedOn names " + referrals.size()
					+ " ServiceRequests", "QuestionnaireResponse.basedOn[" + referrals.get(1) + "]"));
			return -1;
		}
		return referrals.get(0);
	}

	private ServiceRequest readReferral(String referralId, int index, QuestionnaireResponse response, AccessScope scope,
			List<ValidationIssue> issues) {
		Optional<StoredResource> stored = store.read("ServiceRequest", referralId, scope);
		if (stored.isEmpty()) {
			issues.add(ValidationIssue.error(IssueType.NOTFOUND, "The referral ServiceRequest/" + referralId + " is not known to this gateway;"
					+ " a response must be based on an existing referral", "QuestionnaireResponse.basedOn[" + index + "]"));
			return null;
		}
		ServiceRequest referral = fhirContext.newJsonParser().parseResource(ServiceRequest.class, stored.get().json());
		LocalReference referred = LocalReference.parse(referral.getSubject().getReference());
		LocalReference subject = LocalReference.parse(response.getSubject().getReference());
		if (referred != null && subject != null && !referred.versionless().equals(subject.versionless())) {
			issues.add(ValidationIssue.error(IssueType.VALUE, "The response is about " + subject.versionless() + " but the referral"
					+ " ServiceRequest/" + referralId + " is for " + referred.versionless(), "QuestionnaireResponse.subject"));
		}
		return referral;
	}

	private void checkAuthored(QuestionnaireResponse response, List<ValidationIssue> issues, List<ValidationIssue> warnings) {
		if (!response.hasAuthored()) {
			issues.add(ValidationIssue.error(IssueType.REQUIRED, "A " + response.getStatus().toCode() + " response must say when it was"
					+ " given (authored): baselines, reviews and change are dated by it", "QuestionnaireResponse.authored"));
		} else if (response.getAuthored().toInstant().isAfter(Instant.now().plus(properties.getAuthoredClockSkew()))) {
			issues.add(ValidationIssue.error(IssueType.VALUE, "authored " + response.getAuthoredElement().getValueAsString()
					+ " is in the future", "QuestionnaireResponse.authored"));
		}
		if (!response.hasAuthor()) {
			warnings.add(ValidationIssue.warning(IssueType.INCOMPLETE, "The response has no author: the referrer will not see who recorded"
					+ " these scores", "QuestionnaireResponse.author"));
		}
	}

	// ---------------------------------------------------------------- writes

	private WriteOutcome createNew(Capture capture, String id) {
		QuestionnaireResponse response = capture.response();
		List<Resource> resources = new ArrayList<>();
		List<String> ids = new ArrayList<>();
		resources.add(response);
		ids.add(id);
		if (capture.extracted()) {
			for (ObservationExtractor.Extracted e : extract(capture, id)) {
				resources.add(e.observation());
				ids.add(e.id());
			}
		}
		List<StoredResource> stored = service.createAllNow(resources, ids);
		if (capture.extracted()) {
			schedule.responded(capture.referralId(), capture.referral(), capture.instrument(), id, response.getAuthored().toInstant(),
					response.getSubject());
		}
		return new WriteOutcome(stored.get(0), response, true, true, capture.warnings());
	}

	private List<ObservationExtractor.Extracted> extract(Capture capture, String id) {
		Scores scores = Scores.of(capture.response(), capture.instrument());
		Reference referral = new Reference("ServiceRequest/" + capture.referralId());
		return ObservationExtractor.extract(capture.response(), id, capture.instrument(), scores, referral);
	}

	/**
	 * Makes the stored Observations of a response match its new version: changed ones become a new
	 * version with status amended, new ones are created, and those the response no longer gives (it was
	 * withdrawn, reopened, or an item was cleared) become entered-in-error.
	 */
	private void reconcileObservations(String responseId, Capture capture) {
		Map<String, ObservationExtractor.Extracted> wanted = new LinkedHashMap<>();
		if (capture.extracted()) {
			extract(capture, responseId).forEach(e -> wanted.put(e.id(), e));
		}
		String prefix = ObservationExtractor.businessId(responseId, "");
		for (StoredResource found : lookup.find("Observation", Map.of("derived-from", "QuestionnaireResponse/" + responseId), 1000,
				AccessScope.UNRESTRICTED)) {
			Observation existing = fhirContext.newJsonParser().parseResource(Observation.class, found.json());
			boolean ours = existing.getIdentifier().stream().anyMatch(i -> ObservationExtractor.IDENTIFIER_SYSTEM.equals(i.getSystem())
					&& i.getValue() != null && i.getValue().startsWith(prefix));
			if (!ours) {
				continue;
			}
			ObservationExtractor.Extracted replacement = wanted.remove(found.id());
			Observation next;
			if (replacement == null) {
				if (existing.getStatus() == ObservationStatus.ENTEREDINERROR) {
					continue;
				}
				next = existing.copy();
				next.setStatus(ObservationStatus.ENTEREDINERROR);
			} else {
				if (existing.getStatus() != ObservationStatus.ENTEREDINERROR && sameContent(existing, replacement.observation())) {
					continue;
				}
				next = replacement.observation();
				next.setStatus(ObservationStatus.AMENDED);
			}
			StoredResource locked = store.lockCurrent("Observation", found.id()).orElseThrow();
			service.updateNow(locked, next, null, "PUT", List.of());
		}
		if (!wanted.isEmpty()) {
			service.createAllNow(wanted.values().stream().map(ObservationExtractor.Extracted::observation).toList(), List.copyOf(wanted.keySet()));
		}
	}

	private static boolean sameContent(Observation stored, Observation fresh) {
		Observation a = stored.copy();
		Observation b = fresh.copy();
		for (Observation o : List.of(a, b)) {
			o.setMeta(null);
			o.setId((String) null);
			o.setStatus(null);
		}
		return a.equalsDeep(b);
	}

	private static Set<String> referralIds(QuestionnaireResponse response) {
		Set<String> ids = new LinkedHashSet<>();
		for (Reference basedOn : response.getBasedOn()) {
			LocalReference ref = LocalReference.parse(basedOn.getReference());
			if (ref != null && "ServiceRequest".equals(ref.type())) {
				ids.add(ref.id());
			}
		}
		return ids;
	}

	/** "QuestionnaireResponse?identifier=x" or "identifier=x" to "identifier=x". */
	private static String criteria(String conditional) {
		String c = conditional.trim();
		if (c.startsWith(TYPE + "?")) {
			return c.substring(TYPE.length() + 1);
		}
		if (c.startsWith("?")) {
			return c.substring(1);
		}
		if (c.contains("?")) {
			throw Outcomes.invalid("Conditional criteria '" + conditional + "' are for another resource type than " + TYPE, null);
		}
		return c;
	}
}
