package org.spgateway.transaction;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.PatchTypeEnum;
import ca.uhn.fhir.rest.api.PreferReturnEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.util.UrlUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Bundle.BundleType;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.database.DatabaseFaults;
import org.spgateway.fhir.Outcomes;
import org.spgateway.resources.IncomingResource;
import org.spgateway.resources.IncomingTranslation;
import org.spgateway.resources.ResourcePatcher;
import org.spgateway.resources.ResourceService;
import org.spgateway.resources.WriteContext;
import org.spgateway.resources.WriteOutcome;
import org.spgateway.authentication.EntryScopes;
import org.spgateway.security.RequestGate;
import org.spgateway.server.ServedResourceTypes;
import org.spgateway.store.LocalReference;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.SearchPage;
import org.spgateway.store.SearchRequest;
import org.spgateway.store.StoredResource;
import org.spgateway.validation.ResourceValidator;
import org.spgateway.validation.ValidationIssue;
import org.spgateway.validation.ValidationReport;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Transaction and batch Bundles ({@code POST /fhir}). A transaction is validated as a whole, then its
 * entries are given ids, {@code urn:uuid:} and conditional references are resolved, and every entry is
 * applied in one database transaction: all or nothing. A batch applies each entry on its own and
 * reports each entry's outcome.
 */
public class TransactionProcessor {

	private static final Logger log = LoggerFactory.getLogger(TransactionProcessor.class);

	private final FhirContext fhirContext;
	private final ResourceService service;
	private final ResourcePatcher patcher;
	private final ResourceValidator validator;
	private final TransactionTemplate transactions;

	public TransactionProcessor(FhirContext fhirContext, ResourceService service, ResourcePatcher patcher, ResourceValidator validator,
			TransactionTemplate transactions) {
		this.fhirContext = fhirContext;
		this.service = service;
		this.patcher = patcher;
		this.validator = validator;
		this.transactions = transactions;
	}

	public Bundle process(Bundle bundle, String rawBody, EncodingEnum encoding, RequestDetails request) {
		if (bundle.getType() != BundleType.TRANSACTION && bundle.getType() != BundleType.BATCH) {
			throw Outcomes.invalid("POST to the server base takes a Bundle of type transaction or batch, not "
					+ (bundle.getType() == null ? "(none)" : bundle.getType().toCode()), "Bundle.type");
		}
		List<Entry> entries = new ArrayList<>();
		for (int i = 0; i < bundle.getEntry().size(); i++) {
			entries.add(Entry.of(i, bundle.getEntry().get(i)));
		}
		// Each entry needs the SMART scope of its own interaction: a transaction is refused whole, a batch entry on its own.
		for (Entry e : entries) {
			e.outOfScope = EntryScopes.refusal(request, e.index, e.method.toCode(), e.url);
			if (e.outOfScope != null && bundle.getType() == BundleType.TRANSACTION) {
				throw e.outOfScope;
			}
		}
		// Partner mappings: entries in a partner's dialect are translated here, before anything else sees them (see translated()).
		WriteContext translationContext = new WriteContext(request, RequestGate.scopeOf(request), true, new HashMap<>());
		ValidationReport report = translated(bundle, entries, rawBody, encoding, translationContext);
		Map<Integer, List<ValidationIssue>> byEntry = new HashMap<>();
		List<ValidationIssue> bundleLevel = new ArrayList<>();
		for (ValidationIssue issue : report.issues()) {
			Integer index = Entry.indexOf(issue.expression());
			if (index == null) {
				bundleLevel.add(issue);
			} else {
				byEntry.computeIfAbsent(index, k -> new ArrayList<>()).add(issue);
			}
		}
		boolean lenientBundle = bundleLevel.stream().noneMatch(ValidationIssue::isError);
		PreferReturnEnum prefer = RestfulServerUtils.parsePreferHeader(null, request.getHeader(Constants.HEADER_PREFER)).getReturn();
		if (bundle.getType() == BundleType.TRANSACTION) {
			if (report.hasErrors()) {
				throw Outcomes.unprocessable(report.issues());
			}
			WriteContext context = new WriteContext(request, RequestGate.scopeOf(request), true, new HashMap<>());
			return transactions.execute(tx -> transaction(entries, byEntry, prefer, context));
		}
		if (!lenientBundle) {
			throw Outcomes.unprocessable(bundleLevel);
		}
		return batch(entries, byEntry, prefer, new WriteContext(request, RequestGate.scopeOf(request), true, new HashMap<>()));
	}

	/**
	 * The Bundle's validation, with partner mappings ({@link IncomingTranslation}): an entry a partner's
	 * inbound map translates is checked as sent against the base specification only, then replaced (in {@code entries} and the
	 * Bundle) by its translation, which is validated in full, its issues pointing into the entry. A map that fails is an error of
	 * that entry (a transaction is then refused whole, a batch entry on its own). Without such entries this is the usual one
	 * validation of the Bundle as sent.
	 */
	private ValidationReport translated(Bundle bundle, List<Entry> entries, String rawBody, EncodingEnum encoding, WriteContext context) {
		Map<Integer, IncomingTranslation.Translation> found = new TreeMap<>();
		for (Entry e : entries) {
			if ((e.method == HTTPVerb.POST || e.method == HTTPVerb.PUT) && e.resource != null) {
				IncomingTranslation.Translation translation = service.translationOf(e.resource, context);
				if (translation != null) {
					found.put(e.index, translation);
				}
			}
		}
		if (found.isEmpty()) {
			return validator.validate(rawBody, encoding, "Bundle", null);
		}
		Map<String, String> baseOnly = new HashMap<>();
		found.keySet().forEach(i -> baseOnly.put(entries.get(i).resource.fhirType(), ""));
		ValidationReport sent = validator.validateMessage(rawBody, encoding, baseOnly);
		List<ValidationIssue> issues = new ArrayList<>();
		for (ValidationIssue issue : sent.issues()) {
			Integer index = Entry.indexOf(issue.expression());
			// A translated entry's warnings as sent would repeat as the translation's; its errors stand.
			if (index == null || !found.containsKey(index) || issue.isError()) {
				issues.add(issue);
			}
		}
		for (Entry e : entries) {
			String at = "Bundle.entry[" + e.index + "].resource";
			IncomingTranslation.Translation translation = found.get(e.index);
			boolean failedAsSent = sent.errors().stream().anyMatch(i -> Integer.valueOf(e.index).equals(Entry.indexOf(i.expression())));
			if (translation != null && !failedAsSent) {
				try {
					Resource made = translation.apply().apply(e.resource);
					Entry replaced = e.withResource(made);
					entries.set(e.index, replaced);
					bundle.getEntry().get(e.index).setResource(made);
					service.validateTranslated(made, translation).forEach(i -> issues.add(i.under(at)));
				} catch (BaseServerResponseException failure) {
					Outcomes.outcomeOf(failure).getIssue().forEach(i -> issues.add(new ValidationIssue(i.getSeverity(), i.getCode(),
							"Bundle.entry[" + e.index + "]: " + i.getDiagnostics(), at)));
				}
			} else if (translation == null && e.resource != null && baseOnly.containsKey(e.resource.fhirType())) {
				// Another entry of a type validated as sent without the gateway's profile: that profile still applies to this one.
				service.validate(e.resource, null).issues().stream().filter(ValidationIssue::isError).forEach(i -> issues.add(i.under(at)));
			}
		}
		return new ValidationReport(issues);
	}

	/**
	 * Applies a transaction Bundle whose content the caller has already validated (for example one built
	 * from a validated message Bundle), inside the caller's database transaction when there is one.
	 * {@code issuesByEntry} holds each entry's validation warnings.
	 */
	public Bundle applyValidatedTransaction(Bundle bundle, Map<Integer, List<ValidationIssue>> issuesByEntry, PreferReturnEnum prefer,
			RequestDetails request) {
		return applyValidatedTransaction(bundle, issuesByEntry, prefer, request, Set.of());
	}

	/**
	 * As above; the {@code storedAsSent} entries (POSTs) are stored as they are, past their type's write
	 * handler: a BaRS message's resources of the sender's own workflow (its Task, its
	 * QuestionnaireResponses) are context for the referral, not the gateway's work items or outcome
	 * responses.
	 */
	public Bundle applyValidatedTransaction(Bundle bundle, Map<Integer, List<ValidationIssue>> issuesByEntry, PreferReturnEnum prefer,
			RequestDetails request, Set<Integer> storedAsSent) {
		List<Entry> entries = new ArrayList<>();
		for (int i = 0; i < bundle.getEntry().size(); i++) {
			Entry entry = Entry.of(i, bundle.getEntry().get(i));
			entry.storedAsSent = storedAsSent.contains(i);
			entries.add(entry);
		}
		WriteContext context = new WriteContext(request, RequestGate.scopeOf(request), true, new HashMap<>());
		return transactions.execute(tx -> transaction(entries, issuesByEntry, prefer, context));
	}

	// ---------------------------------------------------------------- transaction

	private Bundle transaction(List<Entry> entries, Map<Integer, List<ValidationIssue>> issues, PreferReturnEnum prefer, WriteContext context) {
		for (Entry e : entries) {
			if (e.method == HTTPVerb.DELETE) {
				throw e.fail(new MethodNotAllowedException("DELETE is not supported: the gateway keeps every record;"
						+ " mark a resource entered-in-error instead"));
			}
		}
		Map<String, String> ids = new HashMap<>();
		Map<String, String> conditionalIds = new HashMap<>();
		// Write handlers look at the other entries (what a referral refers to) before they are stored.
		for (Entry e : entries) {
			if (e.fullUrl != null && e.resource != null) {
				context.bundleResources().put(e.fullUrl, e.resource);
			}
		}
		for (Entry e : entries) {
			try {
				assignId(e, ids, conditionalIds, context);
			} catch (BaseServerResponseException ex) {
				throw e.fail(ex);
			}
		}
		for (Entry e : entries) {
			if (e.resource != null) {
				try {
					rewriteReferences(e.resource, ids, conditionalIds, context);
				} catch (BaseServerResponseException ex) {
					throw e.fail(ex);
				}
			}
		}
		new ResentEntries(fhirContext, (type, id) -> storedOrNull(type, id, context)).recognise(entries);
		BundleEntryComponent[] responses = new BundleEntryComponent[entries.size()];
		for (HTTPVerb phase : List.of(HTTPVerb.POST, HTTPVerb.PUT, HTTPVerb.PATCH, HTTPVerb.GET)) {
			for (Entry e : entries) {
				if (e.method == phase) {
					try {
						responses[e.index] = apply(e, issues.getOrDefault(e.index, List.of()), prefer, context);
					} catch (BaseServerResponseException ex) {
						throw e.fail(ex);
					}
				}
			}
		}
		return response(BundleType.TRANSACTIONRESPONSE, responses);
	}

	/** Decides the id each POST/PUT entry will have, so that references to it can be rewritten first. */
	private void assignId(Entry e, Map<String, String> ids, Map<String, String> conditionalIds, WriteContext context) {
		if (e.method == HTTPVerb.POST) {
			String type = e.requireType();
			if (e.ifNoneExist != null) {
				List<StoredResource> matches = matches(type, e.ifNoneExist, context);
				if (matches.size() > 1) {
					throw Outcomes.preconditionFailed("ifNoneExist " + e.ifNoneExist + " matches more than one " + type);
				}
				e.existing = matches.isEmpty() ? null : matches.get(0);
			}
			if (e.existing == null && !e.storedAsSent) {
				// The type's write handler may know the resource already (an NHS number, an ODS code ...).
				e.existing = service.findExisting(type, e.resource, e.ifNoneExist, context);
				if (e.existing != null) {
					service.found(e.existing);
				}
			}
			e.id = e.existing != null ? e.existing.id() : ResourceStore.newId();
		} else if (e.method == HTTPVerb.PUT || e.method == HTTPVerb.PATCH) {
			String type = e.requireType();
			if (e.url.contains("?")) {
				if (e.method == HTTPVerb.PATCH) {
					throw Outcomes.invalid("Conditional PATCH is not supported; use " + type + "/[id]", null);
				}
				String criteria = e.url.substring(e.url.indexOf('?') + 1);
				List<StoredResource> matches = matches(type, criteria, context);
				if (matches.size() > 1) {
					throw Outcomes.preconditionFailed("Conditional update " + e.url + " matches more than one " + type);
				}
				e.id = matches.isEmpty() ? ResourceStore.newId() : matches.get(0).id();
			} else {
				LocalReference target = LocalReference.parse(e.url);
				if (target == null) {
					throw Outcomes.invalid("request.url must be " + type + "/[id] or " + type + "?[criteria], not '" + e.url + "'", null);
				}
				e.id = target.id();
			}
		} else {
			return;
		}
		String local = e.type + "/" + e.id;
		if (e.fullUrl != null) {
			ids.put(e.fullUrl, local);
		}
		if (e.existing == null && e.resource != null && e.method != HTTPVerb.PATCH) {
			context.bundleResources().put(local, e.resource);
		}
		if (e.criteria() != null) {
			// Another entry may refer to this one by the same criteria: Patient?identifier=...
			conditionalIds.put(e.type + "?" + normalize(e.criteria()), local);
		}
	}

	/**
	 * Rewrites references to entries and conditional references. The validator has already checked each
	 * conditional reference's type as a reference to the type it names (ResourceValidator).
	 */
	private void rewriteReferences(Resource resource, Map<String, String> ids, Map<String, String> conditionalIds, WriteContext context) {
		for (Reference ref : fhirContext.newTerser().getAllPopulatedChildElementsOfType(resource, Reference.class)) {
			// The parser links references to the in-Bundle resource objects; the store needs only the reference.
			ref.setResource(null);
			String value = ref.getReference();
			if (value == null) {
				continue;
			}
			if (ids.containsKey(value)) {
				ref.setReference(ids.get(value));
			} else if (value.startsWith("urn:uuid:") || value.startsWith("urn:oid:")) {
				throw Outcomes.unprocessable("Reference " + value + " does not match the fullUrl of any entry in this transaction", null);
			} else if (value.indexOf('?') > 0 && !value.substring(0, value.indexOf('?')).contains("/")) {
				ref.setReference(resolveConditional(value, conditionalIds, context));
			}
		}
	}

	/** {@code Patient?identifier=...}: an entry of this transaction with the same criteria, else exactly one stored match. */
	private String resolveConditional(String reference, Map<String, String> conditionalIds, WriteContext context) {
		String type = reference.substring(0, reference.indexOf('?'));
		String criteria = reference.substring(reference.indexOf('?') + 1);
		String fromBundle = conditionalIds.get(type + "?" + normalize(criteria));
		if (fromBundle != null) {
			return fromBundle;
		}
		List<StoredResource> matches = matches(type, criteria, context);
		if (matches.size() != 1) {
			throw new PreconditionFailedException("Conditional reference " + reference + " matches " + matches.size() + " resources; it must match exactly one",
					Outcomes.single(IssueSeverity.ERROR, IssueType.NOTFOUND, "Conditional reference " + reference + " matches " + matches.size()
							+ " resources; it must match exactly one", null));
		}
		return type + "/" + matches.get(0).id();
	}

	private StoredResource storedOrNull(String type, String id, WriteContext context) {
		try {
			return service.read(type, id, context.scope());
		} catch (ResourceNotFoundException e) {
			return null;
		}
	}

	/** Conditional matches the caller may see; one it may not is a 404, as its read would be. */
	private List<StoredResource> matches(String type, String criteria, WriteContext context) {
		return service.matchVisible(type, criteria, 2, context.scope());
	}

	private BundleEntryComponent apply(Entry e, List<ValidationIssue> issues, PreferReturnEnum prefer, WriteContext context) {
		// Issues from validating the Bundle already point into this entry (Bundle.entry[n].resource...).
		List<ValidationIssue> warnings = issues.stream().filter(i -> !i.isError()).toList();
		switch (e.method) {
			case POST -> {
				if (e.existing != null) {
					List<ValidationIssue> notes = new ArrayList<>(warnings);
					if (e.resent) {
						notes.add(new ValidationIssue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, "Received before as " + e.existing.type() + "/"
								+ e.existing.id() + " when this transaction was first sent, with the same content; nothing new was stored", e.type));
					}
					return entryResponse("200 OK", e.existing, null, prefer, notes);
				}
				e.resource.setId((String) null);
				IncomingResource incoming = new IncomingResource(e.resource, warnings, e.id);
				WriteOutcome outcome = e.storedAsSent ? service.createDirect(e.type, incoming, null) : service.create(e.type, incoming, null, context);
				// The write's own issues (a write handler may add to the validator's) are what the caller reads.
				return entryResponse(outcome.created() ? "201 Created" : "200 OK", outcome.stored(), outcome.resource(), prefer, outcome.warnings());
			}
			case PUT -> {
				e.resource.setId(e.type + "/" + e.id);
				WriteOutcome outcome = service.update(e.type, e.id, new IncomingResource(e.resource, warnings, e.id), e.ifMatch, context);
				return entryResponse(outcome.created() ? "201 Created" : "200 OK", outcome.stored(), outcome.resource(), prefer, outcome.warnings());
			}
			case PATCH -> {
				PatchTypeEnum patchType;
				String body;
				if (e.resource instanceof Binary binary) {
					patchType = PatchTypeEnum.JSON_PATCH;
					body = new String(binary.getData(), StandardCharsets.UTF_8);
				} else if (e.resource instanceof Parameters parameters) {
					patchType = PatchTypeEnum.FHIR_PATCH_JSON;
					body = fhirContext.newJsonParser().encodeResourceToString(parameters);
				} else {
					throw Outcomes.invalid("A PATCH entry carries a Binary (JSON Patch) or a Parameters (FHIRPath Patch) resource", null);
				}
				WriteOutcome outcome = service.patch(e.type, e.id, e.ifMatch, r -> patcher.apply(r, patchType, body), context);
				// The patched resource was validated on its own: its issues point at the resource, not the entry.
				List<ValidationIssue> patchWarnings = outcome.warnings().stream().map(i -> i.under("Bundle.entry[" + e.index + "].resource")).toList();
				return entryResponse("200 OK", outcome.stored(), outcome.resource(), prefer, patchWarnings);
			}
			case GET -> {
				return read(e, context);
			}
			default -> throw Outcomes.invalid("Unsupported method " + e.method, null);
		}
	}

	private BundleEntryComponent read(Entry e, WriteContext context) {
		String url = e.url;
		int q = url.indexOf('?');
		String path = q < 0 ? url : url.substring(0, q);
		LocalReference ref = LocalReference.parse(path);
		BundleEntryComponent entry = new BundleEntryComponent();
		if (ref != null) {
			requireServed(ref.type());
			StoredResource stored = ref.version() != null
					? service.readVersion(ref.type(), ref.id(), Integer.parseInt(ref.version()), context.scope())
					: service.read(ref.type(), ref.id(), context.scope());
			entry.setResource(service.toResource(stored));
			entry.getResponse().setStatus("200 OK").setEtag("W/\"" + stored.version() + "\"").setLastModified(java.util.Date.from(stored.lastUpdated()));
			return entry;
		}
		if (path.contains("/") || fhirContext.getResourceTypes().stream().noneMatch(path::equals)) {
			throw Outcomes.invalid("GET entries read Type/id or search Type?criteria; '" + url + "' is neither", null);
		}
		requireServed(path);
		Map<String, String[]> params = q < 0 ? new HashMap<>() : UrlUtil.parseQueryString(url.substring(q + 1));
		SearchRequest search = service.parseSearch(path, params, false);
		SearchPage page = service.search(search, context.scope());
		Bundle result = new Bundle().setType(BundleType.SEARCHSET);
		if (page.total() != null) {
			result.setTotal(page.total());
		}
		page.matches().forEach(m -> result.addEntry().setResource(service.toResource(m)).getSearch().setMode(Bundle.SearchEntryMode.MATCH));
		page.included().forEach(m -> result.addEntry().setResource(service.toResource(m)).getSearch().setMode(Bundle.SearchEntryMode.INCLUDE));
		entry.setResource(result);
		entry.getResponse().setStatus("200 OK");
		return entry;
	}

	// ---------------------------------------------------------------- batch

	private Bundle batch(List<Entry> entries, Map<Integer, List<ValidationIssue>> issues, PreferReturnEnum prefer, WriteContext context) {
		BundleEntryComponent[] responses = new BundleEntryComponent[entries.size()];
		// Once the database has failed, the entries after it are answered as it was, rather than each waiting for it again.
		BaseServerResponseException databaseFault = null;
		for (Entry e : entries) {
			List<ValidationIssue> entryIssues = issues.getOrDefault(e.index, List.of());
			try {
				if (databaseFault != null) {
					throw databaseFault;
				}
				if (e.outOfScope != null) {
					throw e.outOfScope;
				}
				if (entryIssues.stream().anyMatch(ValidationIssue::isError)) {
					throw Outcomes.unprocessable(entryIssues);
				}
				if (e.method == HTTPVerb.DELETE) {
					throw new MethodNotAllowedException("DELETE is not supported: the gateway keeps every record; mark a resource entered-in-error instead");
				}
				responses[e.index] = transactions.execute(tx -> {
					Map<String, String> noIds = new HashMap<>();
					assignId(e, new HashMap<>(), noIds, context);
					if (e.resource != null) {
						for (Reference ref : fhirContext.newTerser().getAllPopulatedChildElementsOfType(e.resource, Reference.class)) {
							if (ref.getReference() != null && ref.getReference().startsWith("urn:")) {
								throw Outcomes.unprocessable("Batch entries cannot refer to each other (" + ref.getReference()
										+ "); send a transaction instead", null);
							}
						}
						rewriteReferences(e.resource, Map.of(), noIds, context);
					}
					return apply(e, entryIssues, prefer, context);
				});
			} catch (BaseServerResponseException ex) {
				responses[e.index] = failedEntry(ex);
			} catch (RuntimeException ex) {
				// Entries before this one are committed, so a database fault is this entry's answer (503), not the batch's.
				Optional<DatabaseFaults.Fault> fault = DatabaseFaults.of(ex);
				if (fault.isEmpty()) {
					throw ex;
				}
				log.warn("Batch entry {} refused: database {} (SQLSTATE {})", e.index, fault.get(), DatabaseFaults.sqlState(ex));
				databaseFault = DatabaseFaults.answer(fault.get());
				responses[e.index] = failedEntry(databaseFault);
			}
		}
		return response(BundleType.BATCHRESPONSE, responses);
	}

	private static BundleEntryComponent failedEntry(BaseServerResponseException ex) {
		BundleEntryComponent failed = new BundleEntryComponent();
		failed.getResponse().setStatus(ex.getStatusCode() + " " + reason(ex.getStatusCode())).setOutcome(Outcomes.outcomeOf(ex));
		return failed;
	}

	// ---------------------------------------------------------------- responses

	private BundleEntryComponent entryResponse(String status, StoredResource stored, Resource resource, PreferReturnEnum prefer,
			List<ValidationIssue> warnings) {
		BundleEntryComponent entry = new BundleEntryComponent();
		entry.getResponse()
				.setStatus(status)
				.setLocation(stored.versionedId())
				.setEtag("W/\"" + stored.version() + "\"")
				.setLastModified(java.util.Date.from(stored.lastUpdated()));
		if (prefer == PreferReturnEnum.REPRESENTATION) {
			entry.setFullUrl(stored.type() + "/" + stored.id());
			entry.setResource(resource != null ? resource : service.toResource(stored));
		} else if (prefer == PreferReturnEnum.OPERATION_OUTCOME) {
			entry.getResponse().setOutcome(Outcomes.of(warnings));
		}
		return entry;
	}

	private static Bundle response(BundleType type, BundleEntryComponent[] responses) {
		Bundle bundle = new Bundle().setType(type);
		for (BundleEntryComponent r : responses) {
			bundle.addEntry(r);
		}
		return bundle;
	}

	/** Entries reach the resource types the REST API serves, and no others (404, as for an unknown type's URL). */
	private static void requireServed(String type) {
		if (!ServedResourceTypes.all().contains(type)) {
			String diagnostics = "This gateway does not serve " + type + " resources; it serves "
					+ String.join(", ", ServedResourceTypes.all().stream().sorted().toList());
			throw new ResourceNotFoundException(diagnostics, Outcomes.single(IssueSeverity.ERROR, IssueType.NOTSUPPORTED, diagnostics, null));
		}
	}

	private static String reason(int status) {
		return switch (status) {
			case 400 -> "Bad Request";
			case 404 -> "Not Found";
			case 405 -> "Method Not Allowed";
			case 409 -> "Conflict";
			case 412 -> "Precondition Failed";
			case 422 -> "Unprocessable Entity";
			case 503 -> "Service Unavailable";
			default -> status >= 500 ? "Internal Server Error" : "Error";
		};
	}

	/**
	 * Criteria in one canonical form (decoded, parameters in name order), so that a conditional reference
	 * finds the entry it means however each side encoded its query string.
	 */
	private static String normalize(String criteria) {
		if (criteria == null) {
			return "";
		}
		Map<String, String[]> parameters = new java.util.TreeMap<>(UrlUtil.parseQueryString(criteria.trim().replaceFirst("^\\?", "")));
		StringBuilder canonical = new StringBuilder();
		parameters.forEach((name, values) -> {
			for (String value : values) {
				canonical.append(canonical.isEmpty() ? "" : "&").append(name).append('=').append(value);
			}
		});
		return canonical.toString();
	}

	/** One entry of the request Bundle and what processing learns about it. */
	static final class Entry {
		final int index;
		final HTTPVerb method;
		final String url;
		final String fullUrl;
		final Resource resource;
		final String ifNoneExist;
		final Integer ifMatch;
		String type;
		String id;
		StoredResource existing;
		/** Recognised as a resource stored the first time this transaction was sent (ResentEntries). */
		boolean resent;
		/** Stored as it is, past the type's write handler (see applyValidatedTransaction). */
		boolean storedAsSent;
		/** The refusal of an entry the caller's token has no scope for, or null. */
		BaseServerResponseException outOfScope;

		private Entry(int index, HTTPVerb method, String url, String fullUrl, Resource resource, String ifNoneExist, Integer ifMatch) {
			this.index = index;
			this.method = method;
			this.url = url;
			this.fullUrl = fullUrl;
			this.resource = resource;
			this.ifNoneExist = ifNoneExist;
			this.ifMatch = ifMatch;
		}

		/** The same entry holding another resource (its translation from a partner's dialect). */
		Entry withResource(Resource translated) {
			Entry copy = new Entry(index, method, url, fullUrl, translated, ifNoneExist, ifMatch);
			copy.outOfScope = outOfScope;
			return copy;
		}

		static Entry of(int index, BundleEntryComponent component) {
			String at = "Bundle.entry[" + index + "].request";
			if (!component.hasRequest() || !component.getRequest().hasMethod() || !component.getRequest().hasUrl()) {
				throw Outcomes.invalid("Every entry needs request.method and request.url", at);
			}
			String ifMatch = component.getRequest().getIfMatch();
			Integer version = null;
			if (ifMatch != null && !ifMatch.isBlank()) {
				String digits = ifMatch.replaceAll("^W/", "").replace("\"", "").trim();
				try {
					version = Integer.parseInt(digits);
				} catch (NumberFormatException e) {
					throw Outcomes.invalid("ifMatch must look like W/\"3\", not '" + ifMatch + "'", at + ".ifMatch");
				}
			}
			String url = component.getRequest().getUrl().trim();
			Entry entry = new Entry(index, component.getRequest().getMethod(), url, component.hasFullUrl() ? component.getFullUrl() : null,
					component.getResource(), component.getRequest().getIfNoneExist(), version);
			if ((entry.method == HTTPVerb.POST || entry.method == HTTPVerb.PUT || entry.method == HTTPVerb.PATCH) && entry.resource == null) {
				throw Outcomes.invalid("A " + entry.method.toCode() + " entry needs a resource", "Bundle.entry[" + index + "]");
			}
			return entry;
		}

		String requireType() {
			String path = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
			String urlType = path.contains("/") ? path.substring(0, path.indexOf('/')) : path;
			requireServed(urlType);
			if (method != HTTPVerb.PATCH && resource != null && !resource.fhirType().equals(urlType)) {
				throw Outcomes.invalid("request.url " + url + " is for " + urlType + " but the entry holds a " + resource.fhirType(),
						"Bundle.entry[" + index + "].request.url");
			}
			type = urlType;
			return type;
		}

		String criteria() {
			if (method == HTTPVerb.POST) {
				return ifNoneExist;
			}
			return url.contains("?") ? url.substring(url.indexOf('?') + 1) : null;
		}

		/** The same error, saying which entry caused it; issue expressions point into the entry. */
		BaseServerResponseException fail(BaseServerResponseException e) {
			OperationOutcome outcome = Outcomes.outcomeOf(e).copy();
			String prefix = "Bundle.entry[" + index + "]";
			for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
				issue.setDiagnostics(prefix + " (" + method.toCode() + " " + url + "): " + issue.getDiagnostics());
				if (issue.hasExpression()) {
					List<org.hl7.fhir.r4.model.StringType> expressions = new ArrayList<>();
					for (var expression : issue.getExpression()) {
						String value = expression.getValue();
						int dot = value.indexOf('.');
						expressions.add(new org.hl7.fhir.r4.model.StringType(prefix + ".resource" + (dot < 0 ? "" : value.substring(dot))));
					}
					issue.setExpression(expressions);
				} else {
					issue.addExpression(prefix);
				}
			}
			e.setOperationOutcome(outcome);
			return e;
		}

		/** Bundle.entry[3].resource.x to 3; null when an issue is about the Bundle itself. */
		static Integer indexOf(String expression) {
			if (expression == null || !expression.startsWith("Bundle.entry[")) {
				return null;
			}
			int close = expression.indexOf(']');
			try {
				return Integer.parseInt(expression.substring("Bundle.entry[".length(), close));
			} catch (RuntimeException e) {
				return null;
			}
		}
	}

}
