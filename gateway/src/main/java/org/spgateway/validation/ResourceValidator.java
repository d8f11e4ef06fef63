package org.spgateway.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.common.hapi.validation.validator.FhirDefaultPolicyAdvisor;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import java.io.IOException;
import org.hl7.fhir.r5.elementmodel.Element;
import org.hl7.fhir.r5.elementmodel.Manager;
import org.hl7.fhir.r5.elementmodel.Manager.FhirFormat;
import org.hl7.fhir.r5.elementmodel.ParserBase;
import org.hl7.fhir.r5.elementmodel.ParserBase.ValidationPolicy;
import org.hl7.fhir.r5.elementmodel.ValidatedFragment;
import org.hl7.fhir.r5.elementmodel.XmlParser;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.r5.utils.validation.ValidatorSession;
import org.hl7.fhir.r5.utils.validation.constants.BestPracticeWarningLevel;
import org.hl7.fhir.r5.utils.validation.constants.IdStatus;
import org.hl7.fhir.r5.utils.xver.XVerExtensionManagerOld;
import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.utilities.VersionUtilities;
import org.hl7.fhir.utilities.i18n.I18nConstants;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.hl7.fhir.validation.ValidatorSettings;
import org.hl7.fhir.validation.instance.InstanceValidator;
import org.hl7.fhir.validation.service.utils.QuestionnaireMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.fhir.RequestDeadline;

/**
 * Validates resources against the base specification, their declared profiles and the profile the
 * gateway requires for their type.
 *
 * <p>HAPI's {@code FhirInstanceValidator} builds a new {@link InstanceValidator} for every call, and each
 * one re-reads a 1.5 MB OID table and rebuilds its FHIRPath engine: most of the cost of validating one
 * small resource. The instance validator resets its own per-call state at its main entry point, so this
 * class keeps a small pool of them, built once and reused; callers borrow one per validation. The pool
 * also bounds how many validations run at once, which is the right back-pressure for CPU-bound work.
 *
 * <p>A reused instance validator is not entirely stateless: its CodingsObserver, for one, keeps every
 * coding it has seen (and with it the validated element tree), and its cache of executed constraints grows
 * with every element. Each pooled validator is therefore retired after {@link #MAX_USES} validations or
 * {@link #MAX_BYTES} of validated content, whichever comes first, and rebuilt on a background thread, which
 * bounds that memory while keeping construction off the request path. Counting uses alone let a validator
 * keep 200 transactions of 25 referrals (40 kB each): about 250 MB held by a pool of two.
 */
public class ResourceValidator {

	private static final Logger log = LoggerFactory.getLogger(ResourceValidator.class);
	private static final Pattern UNRECOGNISED_PROPERTY = Pattern.compile("^Unrecognized property '([A-Za-z0-9_\\-]+)'");
	/** "ServiceRequest.requester: minimum required = 1, but only found 0 ...": reported at the parent of the missing element. */
	private static final Pattern MISSING_ELEMENT = Pattern.compile("^[A-Za-z]+(?:\\.[A-Za-z0-9\\[\\]:_\\-]+)*\\.([a-z][A-Za-z0-9]*)(?:\\[x\\])?: minimum required = ");
	private static final Pattern PATH_COMMENT = Pattern.compile("/\\*.*?\\*/");
	private static final Set<String> DROPPED_MESSAGES = Set.of(
			I18nConstants.TERMINOLOGY_TX_BINDING_NOSOURCE,
			// The resource's id rule is ours to enforce, not the validator's.
			I18nConstants.RESOURCE_RES_ID_PROHIBITED);
	/**
	 * A conditional reference such as {@code Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|...}
	 * names its target's type but no id, and the validator reads the type from the query's last path
	 * segment ("Id"). Each is validated as a literal reference to the type it names ({@link #standIn}),
	 * so that the target type is checked in the same pass as everything else and nothing needs
	 * validating again once the reference is resolved.
	 */
	private static final Pattern CONDITIONAL_REFERENCE = Pattern.compile("^([A-Z][A-Za-z]+)\\?.+", Pattern.DOTALL);
	private static final String STAND_IN_ID = "conditional-reference-";
	/**
	 * In a transaction or batch the gateway finds each entry by its request.url, and FHIR lets a client
	 * leave fullUrl out of an entry nothing else refers to (Bundle.entry.fullUrl, R4); the validator
	 * demands it whenever an entry holds a reference. Message and document Bundles keep the rule.
	 */
	private static final Set<String> FULL_URL_OPTIONAL_IN_REQUESTS = Set.of(
			I18nConstants.BUNDLE_BUNDLE_ENTRY_NOFULLURL, I18nConstants.BUNDLE_BUNDLE_FULLURL_MISSING);
	private static final Set<String> REQUEST_BUNDLE_TYPES = Set.of("transaction", "batch");
	private static final Set<String> ENTRY_BY_ENTRY_BUNDLE_TYPES = Set.of("transaction", "batch", "message");
	private static final Set<String> RESOURCE_KEPT_FOR_BUNDLE_RULES = Set.of("id", "meta");
	private static final Pattern ENTRY_RESOURCE = Pattern.compile("^Bundle\\.entry\\[\\d+\\]\\.resource\\b");
	private static final Set<String> RAISED_TO_WARNING = Set.of(
			I18nConstants.EXTENSION_EXT_UNKNOWN,
			I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN,
			I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN_NOT_POLICY);

	private final FhirContext fhirContext;
	private final WorkerContextValidationSupportAdapter workerContext;
	private final Map<String, StructureDefinition> requiredProfiles;
	static final int MAX_USES = 200;
	/** Roughly 15 bytes of heap are kept per byte validated (class histograms of a pool after 25-referral transactions). */
	static final long MAX_BYTES = 1 << 20;
	private final AtomicInteger rebuilds = new AtomicInteger();

	private final BlockingQueue<PooledValidator> pool;
	private final ExecutorService rebuilder = Executors.newSingleThreadExecutor(r -> {
		Thread t = new Thread(r, "validator-rebuild");
		t.setDaemon(true);
		return t;
	});

	/**
	 * @param requiredProfiles resource type to the canonical URL of the profile every resource of that
	 *     type must meet (from the gateway's ImplementationGuide)
	 */
	public ResourceValidator(FhirContext fhirContext, WorkerContextValidationSupportAdapter workerContext,
			Map<String, String> requiredProfiles, int poolSize) {
		this.fhirContext = fhirContext;
		this.workerContext = workerContext;
		this.requiredProfiles = new java.util.HashMap<>();
		requiredProfiles.forEach((type, url) -> {
			StructureDefinition sd = workerContext.fetchResource(StructureDefinition.class, url);
			if (sd == null) {
				throw new IllegalStateException("Required profile " + url + " for " + type + " is not loaded");
			}
			this.requiredProfiles.put(type, sd);
		});
		this.pool = new ArrayBlockingQueue<>(poolSize);
		for (int i = 0; i < poolSize; i++) {
			pool.add(newPooledValidator());
		}
	}

	/** Validates a request body as received (JSON or XML), so that every element the caller sent is seen. */
	public ValidationReport validate(String body, EncodingEnum encoding, String resourceType, String extraProfile) {
		FhirFormat format = encoding == EncodingEnum.XML ? FhirFormat.XML : FhirFormat.JSON;
		return run(body.getBytes(StandardCharsets.UTF_8), format, resourceType, extraProfile, Map.of());
	}

	/**
	 * Validates a message Bundle as received, its entries against profiles chosen per type instead of the
	 * gateway's required ones: {@code entryProfiles} maps a type to the canonical URL of the profile its
	 * entries must meet, or to "" for the base specification and their own declared profiles only (a
	 * sender's own Task in a BaRS message is not the gateway's referral Task). Other types keep their
	 * required profile.
	 */
	public ValidationReport validateMessage(String body, EncodingEnum encoding, Map<String, String> entryProfiles) {
		FhirFormat format = encoding == EncodingEnum.XML ? FhirFormat.XML : FhirFormat.JSON;
		Map<String, StructureDefinition> chosen = new HashMap<>();
		for (Map.Entry<String, String> e : entryProfiles.entrySet()) {
			StructureDefinition sd = e.getValue().isEmpty() ? null : workerContext.fetchResource(StructureDefinition.class, e.getValue());
			if (!e.getValue().isEmpty() && sd == null) {
				throw new IllegalStateException("Profile " + e.getValue() + " for " + e.getKey() + " is not loaded");
			}
			chosen.put(e.getKey(), sd);
		}
		return run(body.getBytes(StandardCharsets.UTF_8), format, "Bundle", null, chosen);
	}

	/**
	 * Validates a request body as received against the FHIR base specification and the profiles it declares, but not the
	 * gateway's required profile for its type: a partner's dialect before its inbound map translates it (the translation is
	 * then validated in full).
	 */
	public ValidationReport validateAsSent(String body, EncodingEnum encoding, String resourceType) {
		FhirFormat format = encoding == EncodingEnum.XML ? FhirFormat.XML : FhirFormat.JSON;
		Map<String, StructureDefinition> baseOnly = new HashMap<>();
		baseOnly.put(resourceType, null);
		return run(body.getBytes(StandardCharsets.UTF_8), format, resourceType, null, baseOnly);
	}

	/** Validates a resource the gateway holds in memory (e.g. the result of a patch). */
	public ValidationReport validate(IBaseResource resource, String extraProfile) {
		String json = fhirContext.newJsonParser().encodeResourceToString(resource);
		return run(json.getBytes(StandardCharsets.UTF_8), FhirFormat.JSON, fhirContext.getResourceType(resource), extraProfile, Map.of());
	}

	public String requiredProfile(String resourceType) {
		StructureDefinition sd = requiredProfiles.get(resourceType);
		return sd == null ? null : sd.getUrl();
	}

	private ValidationReport run(byte[] content, FhirFormat format, String resourceType, String extraProfile,
			Map<String, StructureDefinition> entryProfiles) {
		List<ValidationIssue> preliminary = new ArrayList<>();
		StructureDefinition extra = null;
		if (extraProfile != null && !extraProfile.isBlank()) {
			extra = workerContext.fetchResource(StructureDefinition.class, extraProfile);
			if (extra == null) {
				return new ValidationReport(List.of(ValidationIssue.error(IssueType.NOTFOUND,
						"Profile " + extraProfile + " is not known to this gateway", null)));
			}
		}
		PooledValidator pooled = borrow();
		InstanceValidator validator = pooled.validator();
		List<ValidationMessage> messages = new ArrayList<>();
		Map<String, String> conditionalReferences = new HashMap<>();
		boolean requestBundle = false;
		try {
			ParserBase parser = format == FhirFormat.XML ? pooled.xmlParser() : pooled.jsonParser();
			for (ValidatedFragment fragment : parser.parse(new ByteArrayInputStream(content))) {
				Element element = fragment.getElement();
				if (element != null) {
					standIn(element, conditionalReferences);
					// Set.of(...).contains(null) throws: a resource that is not a Bundle has type "".
					String bundleType = "Bundle".equals(element.fhirType()) ? String.valueOf(element.getNamedChildValue("type", false)) : "";
					requestBundle |= REQUEST_BUNDLE_TYPES.contains(bundleType);
					if (ENTRY_BY_ENTRY_BUNDLE_TYPES.contains(bundleType)) {
						validateEntryByEntry(validator, element, fragment.getErrors(), entryProfiles);
					} else {
						// A type named in entryProfiles with no profile is validated against the base specification only (validateAsSent).
						boolean baseOnly = entryProfiles.containsKey(element.fhirType()) && entryProfiles.get(element.fhirType()) == null;
						validator.validate(null, fragment.getErrors(), null, element, baseOnly ? List.of() : profiles(element.fhirType(), extra));
					}
				}
				messages.addAll(fragment.getErrors());
			}
		} catch (IOException e) {
			throw new IllegalStateException("Could not read content for validation", e);
		} catch (NumberFormatException e) {
			// Found by FuzzIT: the validator reads an integer with Integer.valueOf and fails on one out of range
			// (XML value="-2147483649"), which the lenient parser before it let through. That is the caller's value, not a fault.
			return new ValidationReport(List.of(ValidationIssue.error(IssueType.VALUE,
					"An integer value is outside the range FHIR allows (-2147483648 to 2147483647)", null)));
		} finally {
			release(pooled, content.length);
		}
		// The validator cannot be stopped part-way; a request whose validation overran its budget stops here, before anything is stored.
		RequestDeadline.check();
		preliminary.addAll(toIssues(messages, requestBundle, conditionalReferences));
		return new ValidationReport(preliminary);
	}

	/**
	 * Replaces each conditional reference in the tree with a literal reference to the type it names
	 * ({@code Patient/conditional-reference-1-}), remembering the original for the messages.
	 */
	private static void standIn(Element element, Map<String, String> conditionalReferences) {
		for (Element child : element.getChildren()) {
			if (child.isPrimitive()) {
				if ("reference".equals(child.getName()) && "Reference".equals(element.fhirType()) && child.getValue() != null) {
					Matcher conditional = CONDITIONAL_REFERENCE.matcher(child.getValue());
					if (conditional.matches()) {
						// The closing hyphen keeps "...-1-" from being the start of "...-10-" when the messages are put back.
						String standIn = conditional.group(1) + "/" + STAND_IN_ID + (conditionalReferences.size() + 1) + "-";
						conditionalReferences.put(standIn, child.getValue());
						child.setValue(standIn);
					}
				}
			} else {
				standIn(child, conditionalReferences);
			}
		}
	}

	/** The gateway's required profile for the type, and the one the caller asked for, if any. */
	private List<StructureDefinition> profiles(String resourceType, StructureDefinition extra) {
		List<StructureDefinition> profiles = new ArrayList<>();
		StructureDefinition required = requiredProfiles.get(resourceType);
		if (required != null) {
			profiles.add(required);
		}
		if (extra != null && extra != required) {
			profiles.add(extra);
		}
		return profiles;
	}

	/**
	 * A transaction, batch or message Bundle is validated entry by entry, each resource against its
	 * type's required profile, then the Bundle itself with its entries' content set aside. Validated
	 * whole, the validator checks every entry twice (against the base type, then again for the
	 * guide's global profile) and pays for its Bundle-wide reference search: four times the cost for
	 * a three-entry referral. References between entries are checked by the transaction and message
	 * processing that resolves them.
	 */
	private void validateEntryByEntry(InstanceValidator validator, Element bundle, List<ValidationMessage> errors,
			Map<String, StructureDefinition> entryProfiles) {
		List<Element> entries = bundle.getChildren("entry");
		for (int i = 0; i < entries.size(); i++) {
			Element resource = entries.get(i).getNamedChild("resource", false);
			if (resource != null) {
				List<StructureDefinition> profiles = entryProfiles.containsKey(resource.fhirType())
						? entryProfiles.get(resource.fhirType()) == null ? List.of() : List.of(entryProfiles.get(resource.fhirType()))
						: profiles(resource.fhirType(), null);
				validator.validate(null, errors, "Bundle.entry[" + i + "].resource", resource, profiles);
				// What stays for the Bundle's own rules (a message starts with its MessageHeader, fullUrls are unique ...).
				List<Element> content = new ArrayList<>();
				for (Element child : resource.getChildren()) {
					if (!RESOURCE_KEPT_FOR_BUNDLE_RULES.contains(child.getName())) {
						content.add(child);
					}
				}
				if (content.size() == resource.getChildren().size() && !content.isEmpty()) {
					// A resource with neither id nor meta would be left empty, and an empty resource is no resource to
					// the Bundle's rules (bdl-5); what one child left says about the entry is dropped below with the rest.
					content.remove(0);
				}
				content.forEach(resource::removeChild);
			}
		}
		List<ValidationMessage> bundleMessages = new ArrayList<>();
		validator.validate(null, bundleMessages, null, bundle, List.of());
		for (ValidationMessage m : bundleMessages) {
			// The emptied entries' own issues were reported above, from their full content.
			if (m.getLocation() == null || !ENTRY_RESOURCE.matcher(m.getLocation()).lookingAt()) {
				errors.add(m);
			}
		}
	}

	/**
	 * A validator and the element-model parsers that feed it, built once: the parser factory HAPI's
	 * path uses builds a new FHIRPath engine for every parse.
	 */
	private record PooledValidator(InstanceValidator validator, ParserBase jsonParser, ParserBase xmlParser, AtomicInteger uses,
			AtomicLong bytes) {}

	private PooledValidator newPooledValidator() {
		return new PooledValidator(newInstanceValidator(), newParser(FhirFormat.JSON), newParser(FhirFormat.XML), new AtomicInteger(),
				new AtomicLong());
	}

	private void release(PooledValidator pooled, int validated) {
		if (pooled.uses().incrementAndGet() < MAX_USES && pooled.bytes().addAndGet(validated) < MAX_BYTES) {
			pool.add(pooled);
			return;
		}
		try {
			rebuilds.incrementAndGet();
			rebuilder.execute(() -> pool.add(newPooledValidator()));
		} catch (RuntimeException e) {
			// Never lose a pool slot: keep the old one if a replacement cannot be scheduled.
			log.warn("Could not schedule a fresh validator ({}); keeping the used one", e.getClass().getSimpleName());
			pool.add(pooled);
		}
	}

	/** How many pooled validators were retired for a fresh one. */
	int rebuilds() {
		return rebuilds.get();
	}

	/** A validator from the pool, waiting at most what remains of the request's time budget. */
	private PooledValidator borrow() {
		try {
			long left = RequestDeadline.remainingMillis();
			PooledValidator pooled = left < 0 ? pool.take() : pool.poll(left, TimeUnit.MILLISECONDS);
			if (pooled == null) {
				throw RequestDeadline.exceeded();
			}
			return pooled;
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for a validator", e);
		}
	}

	private ParserBase newParser(FhirFormat format) {
		ParserBase parser = Manager.makeParser(workerContext, format);
		parser.setupValidation(ValidationPolicy.EVERYTHING);
		if (parser instanceof XmlParser xml) {
			xml.setAllowXsiLocation(true);
		}
		return parser;
	}

	private InstanceValidator newInstanceValidator() {
		ValidatorSession session = new ValidatorSession();
		// A StructureDefinition's element contexts are checked against the core definitions of each FHIR version
		// it applies to, which the validator downloads from packages.fhir.org unless its session holds them. It
		// names R4 "4.0" and does not take our "4.0.1" context for it, so it is given that context by name.
		for (String version : VersionUtilities.iterateCorePublishedVersions(workerContext.getVersion(), workerContext.getVersion())) {
			session.getOtherVersions().put(version, workerContext);
		}
		InstanceValidator v = new InstanceValidator(workerContext, new FhirInstanceValidator.NullEvaluationContext(),
				new XVerExtensionManagerOld(workerContext), session, new ValidatorSettings());
		v.setAssumeValidRestReferences(true);
		// Whether a referenced resource exists is the store's question, not the profile validator's.
		v.setPolicyAdvisor(new FhirDefaultPolicyAdvisor());
		// Best-practice advice (narrative, dom-6 ...) is noise for system-to-system messages.
		v.setBestPracticeWarningLevel(BestPracticeWarningLevel.Ignore);
		// Unknown extensions (e.g. UK Core's on a GP system's Patient) must never cause a rejection.
		v.setAnyExtensionsAllowed(true);
		v.setResourceIdRule(IdStatus.OPTIONAL);
		v.setNoTerminologyChecks(false);
		v.setErrorForUnknownProfiles(false);
		// As HAPI's own wrapper does: the UnknownCodeSystemWarningValidationSupport decides the level.
		v.setUnknownCodeSystemsCauseErrors(true);
		v.setAllowExamples(false);
		v.setAllowXsiLocation(true);
		// A QuestionnaireResponse is checked against the exact Questionnaire version it names by its write
		// handler (outcomes.ResponseRules), which resolves versions from the store, API-created
		// Questionnaires included. Left on, the instance validator would check only the Questionnaires it
		// can see, with its own version choice, and report the same problems a second time in other words.
		v.setQuestionnaireMode(QuestionnaireMode.NONE);
		return v;
	}

	private static List<ValidationIssue> toIssues(List<ValidationMessage> messages, boolean requestBundle, Map<String, String> conditionalReferences) {
		Set<ValidationIssue> issues = new LinkedHashSet<>();
		for (ValidationMessage m : messages) {
			if (m.getMessageId() != null && DROPPED_MESSAGES.contains(m.getMessageId())) {
				continue;
			}
			if (requestBundle && m.getMessageId() != null && FULL_URL_OPTIONAL_IN_REQUESTS.contains(m.getMessageId())) {
				continue;
			}
			IssueSeverity severity = severity(m);
			// Not every message has an id, and Set.of(...).contains(null) throws.
			boolean raised = m.getMessageId() != null && RAISED_TO_WARNING.contains(m.getMessageId());
			if (severity == IssueSeverity.INFORMATION && !raised) {
				continue;
			}
			if (raised) {
				severity = IssueSeverity.WARNING;
			}
			String text = m.getMessage();
			for (Map.Entry<String, String> standIn : conditionalReferences.entrySet()) {
				text = text == null ? null : text.replace(standIn.getKey(), standIn.getValue());
			}
			issues.add(new ValidationIssue(severity, issueType(m), text, expression(m.getLocation(), m.getMessage())));
		}
		return new ArrayList<>(issues);
	}

	private static IssueSeverity severity(ValidationMessage m) {
		if (m.getLevel() == null) {
			return IssueSeverity.ERROR;
		}
		return switch (m.getLevel()) {
			case FATAL -> IssueSeverity.FATAL;
			case ERROR -> IssueSeverity.ERROR;
			case WARNING -> IssueSeverity.WARNING;
			default -> IssueSeverity.INFORMATION;
		};
	}

	private static IssueType issueType(ValidationMessage m) {
		if (m.getType() == null) {
			return IssueType.INVALID;
		}
		try {
			return IssueType.fromCode(m.getType().toCode());
		} catch (FHIRException e) {
			// The validator's issue types are R5's; the few R4 lacks are reported as the generic "invalid".
			return IssueType.INVALID;
		}
	}

	/** The validator writes paths like {@code Bundle.entry[0].resource/*ServiceRequest/null*}/.code}. */
	static String expression(String location, String message) {
		if (location == null || location.isBlank()) {
			return null;
		}
		String expression = PATH_COMMENT.matcher(location).replaceAll("").replace("/.", ".");
		// The parser reports an unknown element at its parent; point at the element itself.
		Matcher unknown = UNRECOGNISED_PROPERTY.matcher(message == null ? "" : message);
		if (unknown.find()) {
			expression = expression + "." + unknown.group(1);
		}
		Matcher missing = MISSING_ELEMENT.matcher(message == null ? "" : message);
		if (missing.find() && !expression.endsWith("." + missing.group(1))) {
			expression = expression + "." + missing.group(1);
		}
		return expression;
	}
}
