package org.spgateway.outcomes;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Questionnaire;
import org.spgateway.fhir.Outcomes;
import org.spgateway.resources.IncomingResource;
import org.spgateway.resources.ResourceService;
import org.spgateway.resources.ResourceWriteHandler;
import org.spgateway.resources.WriteContext;
import org.spgateway.resources.WriteOutcome;
import org.spgateway.security.AccessScope;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.StoredResource;
import org.spgateway.validation.ValidationIssue;

/**
 * Questionnaires written through the API are ordinary resources, with three rules that keep responses
 * meaningful: their scoring rules must hold together (the same check conformance Questionnaires pass
 * at start-up); a url|version is defined once (otherwise "that exact version" would be ambiguous); and
 * once responses name a version, that version's scoring, url and version cannot change (publish a new
 * version instead).
 */
public class QuestionnaireRules implements ResourceWriteHandler {

	private static final String TYPE = "Questionnaire";

	private final FhirContext fhirContext;
	private final ResourceService service;
	private final ResourceStore store;
	private final StoreLookup lookup;

	QuestionnaireRules(FhirContext fhirContext, ResourceService service, ResourceStore store, StoreLookup lookup) {
		this.fhirContext = fhirContext;
		this.service = service;
		this.store = store;
		this.lookup = lookup;
	}

	@Override
	public String resourceType() {
		return TYPE;
	}

	@Override
	public WriteOutcome create(IncomingResource incoming, String ifNoneExist, WriteContext context) {
		Questionnaire q = (Questionnaire) incoming.resource();
		check(q, null, Optional.empty());
		return service.createDirect(TYPE, incoming, ifNoneExist);
	}

	@Override
	public WriteOutcome update(String id, IncomingResource incoming, Integer expectedVersion, WriteContext context) {
		Optional<StoredResource> current = store.lockCurrent(TYPE, id);
		if (current.isEmpty() || !current.get().isConformance()) {
			// A conformance Questionnaire is refused as read-only by the plain update below.
			check((Questionnaire) incoming.resource(), id, current);
		}
		return service.updateDirect(TYPE, id, incoming, expectedVersion);
	}

	/** $validate: what a write of this Questionnaire would be refused for. */
	@Override
	public List<ValidationIssue> check(org.hl7.fhir.r4.model.Resource resource, WriteContext context) {
		Questionnaire q = (Questionnaire) resource;
		String id = q.getIdElement().hasIdPart() ? q.getIdElement().getIdPart() : null;
		Optional<StoredResource> current = id == null ? Optional.empty() : store.read(TYPE, id, AccessScope.UNRESTRICTED);
		return problems(q, id, current);
	}

	private void check(Questionnaire q, String id, Optional<StoredResource> current) {
		if (q.hasUrl()) {
			// Serialise writers of one canonical, so that two cannot both create it.
			store.lock("Questionnaire|" + q.getUrl() + "|" + q.getVersion());
		}
		List<ValidationIssue> issues = problems(q, id, current);
		if (!issues.isEmpty()) {
			throw Outcomes.unprocessable(issues);
		}
	}

	private List<ValidationIssue> problems(Questionnaire q, String id, Optional<StoredResource> current) {
		List<ValidationIssue> issues = new ArrayList<>();
		Instrument compiled = InstrumentCompiler.compile(q);
		for (Instrument.Problem p : compiled.problems()) {
			issues.add(ValidationIssue.error(IssueType.BUSINESSRULE, "This Questionnaire's scoring rules do not hold together: "
					+ p.message(), p.expression()));
		}
		if (q.hasUrl()) {
			Map<String, String> criteria = new LinkedHashMap<>();
			criteria.put("url", q.getUrl());
			if (q.hasVersion()) {
				criteria.put("version", q.getVersion());
			} else {
				criteria.put("version:missing", "true");
			}
			for (StoredResource other : lookup.find(TYPE, criteria, 5, AccessScope.UNRESTRICTED)) {
				Questionnaire existing = fhirContext.newJsonParser().parseResource(Questionnaire.class, other.json());
				if (!other.id().equals(id) && q.getUrl().equals(existing.getUrl())) {
					issues.add(ValidationIssue.error(IssueType.DUPLICATE, "Questionnaire/" + other.id() + " already defines " + q.getUrl()
							+ (q.hasVersion() ? " version " + q.getVersion() : " without a version") + "; give this one another version",
							q.hasVersion() ? "Questionnaire.version" : "Questionnaire.url"));
				}
			}
		}
		if (current.isPresent()) {
			Questionnaire before = fhirContext.newJsonParser().parseResource(Questionnaire.class, current.get().json());
			Instrument previous = InstrumentCompiler.compile(before);
			boolean sameCanonical = previous.canonical() != null && previous.canonical().equals(compiled.canonical());
			if ((!sameCanonical || !previous.signature().equals(compiled.signature())) && previous.url() != null) {
				List<StoredResource> answered = lookup.find("QuestionnaireResponse", Map.of("questionnaire", previous.canonical()), 1,
						AccessScope.UNRESTRICTED);
				if (!answered.isEmpty()) {
					issues.add(ValidationIssue.error(IssueType.BUSINESSRULE, "Responses already name " + previous.canonical() + " (e.g."
							+ " QuestionnaireResponse/" + answered.get(0).id() + "); changing its " + (sameCanonical ? "scoring" : "url or version")
							+ " would change what they mean. Publish a new version instead", sameCanonical ? "Questionnaire.item"
									: "Questionnaire.version"));
				}
			}
		}
		return issues;
	}
}
