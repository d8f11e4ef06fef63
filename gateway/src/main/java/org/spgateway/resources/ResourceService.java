package org.spgateway.resources;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.LenientErrorHandler;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.util.UrlUtil;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.fhir.Outcomes;
import org.spgateway.security.AccessScope;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.SearchPage;
import org.spgateway.store.SearchRequest;
import org.spgateway.store.SearchRequestParser;
import org.spgateway.store.StoredResource;
import org.spgateway.validation.ResourceValidator;
import org.spgateway.validation.ValidationIssue;
import org.spgateway.validation.ValidationReport;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The FHIR interactions on stored resources: read, vread, history, search, create, update and patch,
 * with validation before anything is written and every write in one database transaction (joined by
 * the caller's transaction when there is one, as for a transaction Bundle).
 */
public class ResourceService {

	private final FhirContext fhirContext;
	private final ResourceValidator validator;
	private final ResourceStore store;
	private final SearchRequestParser searchParser;
	private final TransactionTemplate transactions;
	private final List<ResourceChangeListener> listeners;
	private final java.util.Map<String, ResourceWriteHandler> handlers = new java.util.concurrent.ConcurrentHashMap<>();
	private final Set<String> readOnlyTypes;
	private final Set<String> recordedTypes;
	/** Partner mappings, registered once every bean exists (they depend on this service); null until then or without any. */
	private volatile IncomingTranslation incomingTranslation;
	private final int maxIncludes;
	private final int maxIncludeIterations;

	public ResourceService(FhirContext fhirContext, ResourceValidator validator, ResourceStore store, SearchRequestParser searchParser,
			TransactionTemplate transactions, List<ResourceChangeListener> listeners, Set<String> readOnlyTypes, Set<String> recordedTypes,
			int maxIncludes, int maxIncludeIterations) {
		this.fhirContext = fhirContext;
		this.validator = validator;
		this.store = store;
		this.searchParser = searchParser;
		this.transactions = transactions;
		this.listeners = listeners;
		this.readOnlyTypes = readOnlyTypes;
		this.recordedTypes = recordedTypes;
		this.maxIncludes = maxIncludes;
		this.maxIncludeIterations = maxIncludeIterations;
	}

	// ---------------------------------------------------------------- incoming content

	/**
	 * Parses and validates a request body. Unparseable content is a 400; content that parses but
	 * breaks the base spec or a profile is a 422 listing every issue; nothing is ever stored here.
	 */
	public IncomingResource accept(String body, EncodingEnum encoding, String expectedType) {
		Resource resource = parse(body, encoding, expectedType);
		ValidationReport report = validator.validate(body, encoding, expectedType, null);
		if (report.hasErrors()) {
			throw Outcomes.unprocessable(report.issues());
		}
		return new IncomingResource(resource, report.issues());
	}

	/**
	 * As {@link #accept(String, EncodingEnum, String)}, for a create or update that may come in a partner's dialect. Partner
	 * mappings (see {@link IncomingTranslation}): such a body is checked as sent against the base specification only, translated,
	 * and the translation is validated in full and is what the write handler gets.
	 */
	public IncomingResource accept(String body, EncodingEnum encoding, String expectedType, WriteContext context) {
		Resource resource = parse(body, encoding, expectedType);
		IncomingTranslation.Translation translation = translationOf(resource, context);
		if (translation == null) {
			ValidationReport report = validator.validate(body, encoding, expectedType, null);
			if (report.hasErrors()) {
				throw Outcomes.unprocessable(report.issues());
			}
			return new IncomingResource(resource, report.issues());
		}
		ValidationReport sent = validator.validateAsSent(body, encoding, expectedType);
		if (sent.hasErrors()) {
			throw Outcomes.unprocessable(sent.issues());
		}
		Resource translated = translation.apply().apply(resource);
		List<ValidationIssue> issues = validateTranslated(translated, translation);
		if (issues.stream().anyMatch(ValidationIssue::isError)) {
			throw Outcomes.unprocessable(issues);
		}
		return new IncomingResource(translated, issues);
	}

	/** Lets partner mappings translate incoming writes (see {@link IncomingTranslation}); at most one. */
	public void registerTranslation(IncomingTranslation translation) {
		if (incomingTranslation != null && incomingTranslation != translation) {
			throw new IllegalStateException("Two incoming translations: " + incomingTranslation + " and " + translation);
		}
		incomingTranslation = translation;
	}

	/** How an incoming create or update in a partner's dialect is translated, or null when it is in the gateway's shape. */
	public IncomingTranslation.Translation translationOf(Resource parsed, WriteContext context) {
		IncomingTranslation translation = incomingTranslation;
		return translation == null || context == null ? null : translation.find(parsed, context);
	}

	/**
	 * The validation of a translated resource, in full (base, declared and required profiles), after a note saying what
	 * translated it: the issues are about the translation, not the body as sent.
	 */
	public List<ValidationIssue> validateTranslated(Resource translated, IncomingTranslation.Translation translation) {
		List<ValidationIssue> issues = new ArrayList<>();
		issues.add(new ValidationIssue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, "Translated by " + translation.by()
						+ " into the gateway's " + translated.fhirType() + ", which was validated and is what was processed", translated.fhirType()));
		issues.addAll(validator.validate(translated, null).issues());
		return issues;
	}

	public Resource parse(String body, EncodingEnum encoding, String expectedType) {
		if (body == null || body.isBlank()) {
			throw Outcomes.invalid("The request has no body; send a " + expectedType + " resource", null);
		}
		IParser parser = (encoding == EncodingEnum.XML ? fhirContext.newXmlParser() : fhirContext.newJsonParser())
				// The validator reports unknown elements and invalid values with their paths; the parser need not
				// repeat them (and must not turn a bad value into a 400 without an expression).
				.setParserErrorHandler(new LenientErrorHandler(false).setErrorOnInvalidValue(false));
		IBaseResource parsed;
		try {
			parsed = parser.parseResource(body);
		} catch (DataFormatException e) {
			throw Outcomes.invalid("The body could not be read as FHIR " + (encoding == EncodingEnum.XML ? "XML" : "JSON") + ": "
					+ e.getMessage().replaceFirst("^HAPI-\\d+: ", ""), null);
		}
		String actual = fhirContext.getResourceType(parsed);
		if (expectedType != null && !expectedType.equals(actual)) {
			throw Outcomes.invalid("This endpoint takes " + expectedType + " resources; the body is a " + actual, actual);
		}
		return (Resource) parsed;
	}

	/** $validate: the same checks as a write, optionally against one more profile, storing nothing. */
	public ValidationReport validate(Resource resource, String extraProfile) {
		return validator.validate(resource, extraProfile);
	}

	public ValidationReport validateBody(String body, EncodingEnum encoding, String type, String extraProfile) {
		return validator.validate(body, encoding, type, extraProfile);
	}

	/**
	 * $validate of a Parameters body: its "resource" part is validated exactly as sent, so the answer is the
	 * one the same resource would get on its own.
	 */
	public ValidationReport validateParametersBody(Parameters parameters, String body, EncodingEnum encoding, String type, String extraProfile,
			WriteContext context) {
		Parameters.ParametersParameterComponent part = parameters.getParameter("resource");
		if (part == null || part.getResource() == null) {
			throw Outcomes.invalid("$validate with a Parameters body needs a 'resource' parameter", "Parameters.parameter");
		}
		if (!type.equals(part.getResource().fhirType())) {
			throw Outcomes.invalid("This endpoint validates " + type + " resources; the 'resource' parameter is a " + part.getResource().fhirType(),
					"Parameters.parameter");
		}
		// A 'profile' parameter in the body names the profile as a uri value, not as the query's plain string.
		Parameters.ParametersParameterComponent profilePart = parameters.getParameter("profile");
		String profile = profilePart != null && profilePart.getValue() != null ? profilePart.getValue().primitiveValue() : extraProfile;
		String raw = ParametersResource.extract(body, encoding);
		ValidationReport report = raw != null ? validator.validate(raw, encoding, type, profile) : validator.validate(part.getResource(), profile);
		return withHandlerRules(part.getResource(), report, context);
	}

	/** $validate with the request's context: the base and profile checks, then the rules of the capability that owns the type. */
	public ValidationReport validate(Resource resource, String extraProfile, WriteContext context) {
		return withHandlerRules(resource, validator.validate(resource, extraProfile), context);
	}

	public ValidationReport validateBody(String body, EncodingEnum encoding, String type, String extraProfile, WriteContext context) {
		ValidationReport report = validator.validate(body, encoding, type, extraProfile);
		if (report.hasErrors() || !handlers.containsKey(type)) {
			return report;
		}
		return withHandlerRules(parse(body, encoding, type), report, context);
	}

	private ValidationReport withHandlerRules(Resource resource, ValidationReport report, WriteContext context) {
		ResourceWriteHandler handler = handlers.get(resource.fhirType());
		if (handler == null || report.hasErrors()) {
			return report;
		}
		return report.plus(handler.check(resource, context));
	}

	// ---------------------------------------------------------------- writes

	/** Lets a capability take over the writes of one resource type (see {@link ResourceWriteHandler}). */
	public void registerHandler(ResourceWriteHandler handler) {
		ResourceWriteHandler previous = handlers.putIfAbsent(handler.resourceType(), handler);
		if (previous != null && previous != handler) {
			throw new IllegalStateException("Two write handlers for " + handler.resourceType() + ": " + previous + " and " + handler);
		}
	}

	public WriteOutcome create(String type, IncomingResource incoming, String ifNoneExist, WriteContext context) {
		checkWritable(type);
		ResourceWriteHandler handler = handlers.get(type);
		return transactions.execute(tx -> {
			// If-None-Exist is FHIR's, the same for every type: a handler sees only creates it did not match.
			StoredResource match = conditionalMatch(type, ifNoneExist, context.scope());
			if (match != null) {
				return new WriteOutcome(match, toResource(match), false, false, incoming.warnings());
			}
			if (handler == null) {
				return createNow(incoming.resource(), incoming.newId(), incoming.warnings());
			}
			WriteOutcome outcome = handler.create(incoming, ifNoneExist, context);
			if (!outcome.created() && outcome.stored() != null) {
				found(outcome.stored());
			}
			return outcome;
		});
	}

	/** Tells the listeners that a create found {@code stored} instead of writing (see {@link ResourceChangeListener#onFound}). */
	public void found(StoredResource stored) {
		for (ResourceChangeListener listener : listeners) {
			listener.onFound(stored);
		}
	}

	/**
	 * Conditional matches as the caller may know them: a match the caller may not see is answered as a read of it
	 * would be (404), never with the resource, so criteria cannot be used to find another organisation's data.
	 */
	public List<StoredResource> matchVisible(String type, String criteria, int limit, AccessScope scope) {
		List<StoredResource> matches = matchAll(type, criteria, limit);
		if (scope.predicate() != null) {
			for (StoredResource match : matches) {
				if (store.read(match.type(), match.id(), scope).isEmpty()) {
					throw new ResourceNotFoundException("The criteria " + criteria + " match no " + type + " you may see");
				}
			}
		}
		return matches;
	}

	/** 404, as for an unknown id, when the caller may not see {@code type/id}; nothing when it may or when there is none (update-as-create). */
	private void checkVisible(String type, String id, AccessScope scope) {
		if (scope.predicate() != null && store.read(type, id, scope).isEmpty() && store.exists(type, id)) {
			throw new ResourceNotFoundException(type + "/" + id + " is not known");
		}
	}

	/** The one resource If-None-Exist matches (under a lock on the criteria), null when none, 412 when several. */
	private StoredResource conditionalMatch(String type, String ifNoneExist, AccessScope scope) {
		if (ifNoneExist == null || ifNoneExist.isBlank()) {
			return null;
		}
		String criteria = criteria(type, ifNoneExist);
		store.lock(type + "?" + criteria);
		List<StoredResource> matches = matchVisible(type, criteria, 2, scope);
		if (matches.size() > 1) {
			throw Outcomes.preconditionFailed("If-None-Exist " + criteria + " matches more than one " + type + "; nothing was created");
		}
		return matches.isEmpty() ? null : matches.get(0);
	}

	/** The plain create (no type handler): stores the resource, or finds it when If-None-Exist matches. */
	public WriteOutcome createDirect(String type, IncomingResource incoming, String ifNoneExist) {
		return transactions.execute(tx -> {
			StoredResource match = conditionalMatch(type, ifNoneExist, AccessScope.UNRESTRICTED);
			if (match != null) {
				return new WriteOutcome(match, toResource(match), false, false, incoming.warnings());
			}
			return createNow(incoming.resource(), incoming.newId(), incoming.warnings());
		});
	}

	/**
	 * Update by id. {@code expectedVersion} comes from If-Match; a stale one is a 412 that changes
	 * nothing. An update to an id that does not exist yet creates it (update-as-create).
	 */
	public WriteOutcome update(String type, String id, IncomingResource incoming, Integer expectedVersion, WriteContext context) {
		checkWritable(type);
		checkBodyId(incoming.resource(), id);
		checkVisible(type, id, context.scope());
		ResourceWriteHandler handler = handlers.get(type);
		if (handler != null) {
			return transactions.execute(tx -> handler.update(id, incoming, expectedVersion, context));
		}
		return updateDirect(type, id, incoming, expectedVersion);
	}

	/** The plain update (no type handler), with update-as-create. */
	public WriteOutcome updateDirect(String type, String id, IncomingResource incoming, Integer expectedVersion) {
		return transactions.execute(tx -> {
			Optional<StoredResource> current = store.lockCurrent(type, id);
			if (current.isEmpty()) {
				// Two updates creating the same new id: the second waits here, then finds and updates the first's.
				store.lock(type + "/" + id);
				current = store.lockCurrent(type, id);
			}
			if (current.isEmpty()) {
				if (expectedVersion != null) {
					throw new ResourceNotFoundException(type + "/" + id + " does not exist, so If-Match cannot match");
				}
				return createNow(incoming.resource(), id, incoming.warnings());
			}
			return updateNow(current.get(), incoming.resource(), expectedVersion, incoming.method(), incoming.warnings());
		});
	}

	/** Conditional update: {@code PUT Type?criteria}. */
	public WriteOutcome conditionalUpdate(String type, String conditionalUrl, IncomingResource incoming) {
		return conditionalUpdate(type, conditionalUrl, incoming, WriteContext.system());
	}

	/** Conditional update: {@code PUT Type?criteria}; the type's write handler, if any, decides the write. */
	public WriteOutcome conditionalUpdate(String type, String conditionalUrl, IncomingResource incoming, WriteContext context) {
		checkWritable(type);
		String criteria = criteria(type, conditionalUrl);
		ResourceWriteHandler handler = handlers.get(type);
		return transactions.execute(tx -> {
			store.lock(type + "?" + criteria);
			List<StoredResource> matches = matchVisible(type, criteria, 2, context.scope());
			if (matches.size() > 1) {
				throw Outcomes.preconditionFailed("Conditional update " + criteria + " matches more than one " + type + "; nothing was changed");
			}
			if (matches.isEmpty()) {
				String id = incoming.assignedId() != null ? incoming.assignedId()
						: incoming.resource().getIdElement().hasIdPart() ? incoming.resource().getIdElement().getIdPart() : ResourceStore.newId();
				if (handler != null) {
					return handler.create(new IncomingResource(incoming.resource(), incoming.warnings(), id), null, context);
				}
				return createNow(incoming.resource(), id, incoming.warnings());
			}
			StoredResource match = store.lockCurrent(type, matches.get(0).id()).orElseThrow();
			if (incoming.resource().getIdElement().hasIdPart() && !incoming.resource().getIdElement().getIdPart().equals(match.id())) {
				throw Outcomes.invalid("The body's id " + incoming.resource().getIdElement().getIdPart() + " differs from the matching "
						+ type + "/" + match.id(), type + ".id");
			}
			if (handler != null) {
				incoming.resource().setId(type + "/" + match.id());
				return handler.update(match.id(), incoming, null, context);
			}
			return updateNow(match, incoming.resource(), null, "PUT", incoming.warnings());
		});
	}

	/** Applies a patch to the current version, validates the result and stores it as a new version. */
	public WriteOutcome patch(String type, String id, Integer expectedVersion, java.util.function.UnaryOperator<Resource> patch) {
		return patch(type, id, expectedVersion, patch, WriteContext.system());
	}

	/**
	 * As {@link #patch(String, String, Integer, java.util.function.UnaryOperator)}; when a capability owns
	 * the type's writes, the patched resource goes to its handler like any other update, so a patch cannot
	 * bypass what the handler enforces or derives.
	 */
	public WriteOutcome patch(String type, String id, Integer expectedVersion, java.util.function.UnaryOperator<Resource> patch,
			WriteContext context) {
		checkWritable(type);
		checkVisible(type, id, context.scope());
		return transactions.execute(tx -> {
			StoredResource current = store.lockCurrent(type, id)
					.orElseThrow(() -> new ResourceNotFoundException(type + "/" + id + " is not known"));
			checkVersion(current, expectedVersion);
			Resource patched = patch.apply(toResource(current));
			patched.setId(type + "/" + id);
			ValidationReport report = validator.validate(patched, null);
			if (report.hasErrors()) {
				throw Outcomes.unprocessable(report.issues());
			}
			ResourceWriteHandler handler = handlers.get(type);
			if (handler != null) {
				// The version was checked above, under the row lock the handler's update takes again.
				return handler.update(id, IncomingResource.patched(patched, report.issues()), null, context);
			}
			return updateNow(current, patched, null, "PATCH", report.issues());
		});
	}

	/**
	 * The stored resource an incoming create duplicates, as the type's write handler judges it (e.g. a
	 * Patient with a known NHS number), or null; see {@link ResourceWriteHandler#findExisting}.
	 */
	public StoredResource findExisting(String type, Resource resource, String ifNoneExist, WriteContext context) {
		ResourceWriteHandler handler = handlers.get(type);
		return handler == null ? null : handler.findExisting(resource, ifNoneExist, context);
	}

	public boolean hasHandler(String type) {
		return handlers.containsKey(type);
	}

	/** Creates inside the caller's transaction, with a resource already validated. */
	public WriteOutcome createNow(Resource resource, String id, List<ValidationIssue> warnings) {
		StoredResource stored = store.create(resource, id, StoredResource.ORIGIN_API, "POST");
		notifyListeners(stored, resource, null);
		return new WriteOutcome(stored, resource, true, true, warnings);
	}

	/**
	 * Creates several resources inside the caller's transaction with one store statement (e.g. a
	 * response and the Observations extracted from it); every resource must already be valid.
	 */
	public List<StoredResource> createAllNow(List<? extends Resource> resources, List<String> ids) {
		List<StoredResource> stored = store.createAll(resources, ids, StoredResource.ORIGIN_API, "POST");
		for (int i = 0; i < stored.size(); i++) {
			notifyListeners(stored.get(i), resources.get(i), null);
		}
		return stored;
	}

	/** Updates inside the caller's transaction; {@code current} must be locked. */
	public WriteOutcome updateNow(StoredResource current, Resource resource, Integer expectedVersion, String method,
			List<ValidationIssue> warnings) {
		if (current.isConformance()) {
			throw new MethodNotAllowedException(current.versionlessId() + " is loaded from the gateway's conformance folders and is"
					+ " read-only through the API; change its file instead");
		}
		checkVersion(current, expectedVersion);
		StoredResource stored = store.update(current, resource, method);
		notifyListeners(stored, resource, current);
		return new WriteOutcome(stored, resource, false, true, warnings);
	}

	private void notifyListeners(StoredResource stored, Resource resource, StoredResource previous) {
		for (ResourceChangeListener listener : listeners) {
			listener.onChange(stored, resource, previous);
		}
	}

	// ---------------------------------------------------------------- reads

	public StoredResource read(String type, String id, AccessScope scope) {
		return store.read(type, id, scope).orElseThrow(() -> new ResourceNotFoundException(type + "/" + id + " is not known"));
	}

	public StoredResource readVersion(String type, String id, int version, AccessScope scope) {
		return store.readVersion(type, id, version, scope)
				.orElseThrow(() -> new ResourceNotFoundException(type + "/" + id + "/_history/" + version + " is not known"));
	}

	public List<org.spgateway.store.HistoryEntry> history(String type, String id, Instant since, int offset, int count, AccessScope scope) {
		read(type, id, scope);
		return store.history(type, id, since, offset, count, scope);
	}

	public SearchPage search(SearchRequest request, AccessScope scope) {
		return store.search(request, scope, maxIncludes, maxIncludeIterations);
	}

	public SearchRequest parseSearch(String type, Map<String, String[]> parameters, boolean lenient) {
		return searchParser.parse(type, parameters, lenient);
	}

	/** Every current resource matching {@code criteria} (a query string), up to {@code limit}. */
	public List<StoredResource> matchAll(String type, String criteria, int limit) {
		Map<String, String[]> params = UrlUtil.parseQueryString(criteria);
		params.put("_count", new String[] {Integer.toString(limit)});
		SearchRequest request = searchParser.parse(type, params, false);
		if (request.clauses().isEmpty()) {
			throw Outcomes.invalid("Conditional criteria '" + criteria + "' select nothing; give at least one search parameter", null);
		}
		return store.search(request, AccessScope.UNRESTRICTED, 0, 0).matches();
	}

	public Resource toResource(StoredResource stored) {
		return (Resource) fhirContext.newJsonParser().parseResource(stored.json());
	}

	public boolean isReadOnly(String type) {
		return readOnlyTypes.contains(type);
	}

	// ---------------------------------------------------------------- rules

	private void checkWritable(String type) {
		if (readOnlyTypes.contains(type)) {
			throw new MethodNotAllowedException(type + " resources are loaded from the gateway's profiles/ and mappings/ folders and are read-only through the API");
		}
		if (recordedTypes.contains(type)) {
			// The trail of who did what must not be editable by those it records; only createNow (the gateway itself) writes it.
			String diagnostics = type + " resources are the gateway's own record of what happened and are read-only through the API";
			throw new MethodNotAllowedException(diagnostics,
					Outcomes.single(IssueSeverity.ERROR, IssueType.NOTSUPPORTED, diagnostics, null));
		}
	}

	private static void checkVersion(StoredResource current, Integer expectedVersion) {
		if (expectedVersion != null && expectedVersion != current.version()) {
			throw Outcomes.preconditionFailed("If-Match expected version " + expectedVersion + " of " + current.versionlessId()
					+ " but the current version is " + current.version() + "; nothing was changed");
		}
	}

	private static void checkBodyId(Resource resource, String id) {
		if (!resource.getIdElement().hasIdPart()) {
			throw Outcomes.invalid("An update must carry the resource id in the body; expected id " + id, resource.fhirType() + ".id");
		}
		if (!resource.getIdElement().getIdPart().equals(id)) {
			throw Outcomes.invalid("The body's id " + resource.getIdElement().getIdPart() + " does not match the URL's id " + id,
					resource.fhirType() + ".id");
		}
	}

	/** "Patient?identifier=x" or "identifier=x" to "identifier=x". */
	private static String criteria(String type, String conditional) {
		String c = conditional.trim();
		if (c.startsWith(type + "?")) {
			c = c.substring(type.length() + 1);
		} else if (c.startsWith("?")) {
			c = c.substring(1);
		} else if (c.contains("?")) {
			throw Outcomes.invalid("Conditional criteria '" + conditional + "' are for another resource type than " + type, null);
		}
		return c;
	}
}
