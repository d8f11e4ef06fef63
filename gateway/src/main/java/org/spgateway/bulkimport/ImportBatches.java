package org.spgateway.bulkimport;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.UriType;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.fhir.Outcomes;
import org.spgateway.intake.ReferralRecords;
import org.spgateway.resources.IncomingResource;
import org.spgateway.resources.ResourceService;
import org.spgateway.resources.WriteContext;
import org.spgateway.store.LocalReference;
import org.spgateway.store.ResourceStore;
import org.spgateway.validation.ValidationIssue;
import org.spgateway.validation.ValidationReport;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One batch of an input file: its lines validated (in parallel, as every write is: base specification, declared
 * profiles, the type's required profile, and for questionnaire responses the outcome rules), checked against the
 * import's rules ({@link ImportRules}), then stored in one database transaction with the job's progress and the
 * refused lines' outcomes, so a batch is stored whole or not at all. The caseload's own resources go to the store in
 * multi-row statements ({@link ResourceService#createAllNow}, with every change listener: access rows, workflow index,
 * audit, notifications); a referral that comes without its Task goes through referral intake, which routes it and
 * creates the Task, as a referral sent through the API would.
 */
final class ImportBatches {

	/** A raw line of an input file and its number from 1. */
	record Raw(int number, String text) {}

	/** What a batch did; {@code stopped}: the job was no longer running (cancelled) and nothing was stored. */
	record Result(int imported, int refused, boolean stopped, boolean alreadyDone) {}

	/** The job a batch belongs to. */
	record Job(String id, WriteContext context, Set<String> callerKeys, JobIds ids) {}

	/** Stands for the referral records of imported referrals: no sender's identifier, so intake's resend check never matches them. */
	static final String IMPORTED = "bulk-import";

	private final FhirContext fhirContext;
	private final ResourceService resources;
	private final JdbcTemplate jdbc;
	private final TransactionTemplate transactions;
	private final TransactionTemplate nested;
	private final BulkImportRecords records;
	private final ReferralRecords referrals;
	private final ImportRules rules;
	private final ExecutorService validators;

	ImportBatches(FhirContext fhirContext, ResourceService resources, JdbcTemplate jdbc, TransactionTemplate transactions,
			TransactionTemplate nested, BulkImportRecords records, ReferralRecords referrals, ImportRules rules, ExecutorService validators) {
		this.fhirContext = fhirContext;
		this.resources = resources;
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.nested = nested;
		this.records = records;
		this.referrals = referrals;
		this.rules = rules;
		this.validators = validators;
	}

	/** Validates and stores lines {@code firstIndex+1 ..} of a file (what the file's committed progress says comes next). */
	Result run(Job job, BulkImportRecords.File file, int firstIndex, List<Raw> lines) throws InterruptedException {
		List<ImportLine> checked = validate(file.type(), lines, job.context());
		Result result = transactions.execute(tx -> {
			if (records.lockStatus(job.id()) != BulkImportRecords.Status.RUNNING) {
				return new Result(0, 0, true, false);
			}
			if (records.linesDone(job.id(), file.number()) != firstIndex) {
				// Another instance on the same database stored this batch while this one validated it.
				return new Result(0, 0, false, true);
			}
			return store(job, file, firstIndex + lines.size(), checked);
		});
		return result;
	}

	private List<ImportLine> validate(String type, List<Raw> lines, WriteContext context) throws InterruptedException {
		List<Future<ImportLine>> futures = new ArrayList<>(lines.size());
		for (Raw line : lines) {
			futures.add(validators.submit(() -> validate(type, line, context)));
		}
		List<ImportLine> checked = new ArrayList<>(lines.size());
		try {
			for (Future<ImportLine> f : futures) {
				ImportLine line = f.get();
				if (line != null) {
					checked.add(line);
				}
			}
		} catch (ExecutionException e) {
			futures.forEach(f -> f.cancel(true));
			throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
		} catch (InterruptedException e) {
			futures.forEach(f -> f.cancel(true));
			throw e;
		}
		return checked;
	}

	/** One line checked alone: null for a blank line (skipped, as NDJSON readers do). */
	private ImportLine validate(String type, Raw raw, WriteContext context) {
		if (raw.text().isBlank()) {
			return null;
		}
		Resource resource;
		try {
			resource = resources.parse(raw.text(), EncodingEnum.JSON, null);
		} catch (BaseServerResponseException e) {
			return refused(raw.number(), null, issues(e));
		}
		if (!type.equals(resource.fhirType())) {
			return refused(raw.number(), null, List.of(ValidationIssue.error(IssueType.INVALID, "The line holds a " + resource.fhirType()
					+ "; every line of this input must be a " + type + " (one file per resource type)", resource.fhirType())));
		}
		ValidationReport report;
		try {
			// The outcome rules of a questionnaire response (ranges, options, the exact Questionnaire version) are part of its validation.
			report = "QuestionnaireResponse".equals(type) ? resources.validateBody(raw.text(), EncodingEnum.JSON, type, null, context)
					: resources.validateBody(raw.text(), EncodingEnum.JSON, type, null);
		} catch (BaseServerResponseException e) {
			return refused(raw.number(), resource, issues(e));
		}
		List<ValidationIssue> errors = report.errors();
		List<ValidationIssue> warnings = report.issues().stream().filter(i -> !i.isError()).toList();
		return new ImportLine(raw.number(), resource, errors, warnings);
	}

	private Result store(Job job, BulkImportRecords.File file, int linesDone, List<ImportLine> lines) {
		String type = file.type();
		Map<ImportLine, List<ValidationIssue>> refusals = new LinkedHashMap<>();
		lines.stream().filter(ImportLine::refused).forEach(l -> refusals.put(l, new ArrayList<>(l.errors())));
		List<ImportLine> candidates = lines.stream().filter(l -> !l.refused()).toList();

		Map<ImportLine, String> ids = new HashMap<>();
		Map<ImportLine, Map<String, LocalReference>> references = new HashMap<>();
		Set<String> wanted = new HashSet<>();
		for (ImportLine line : candidates) {
			Resource resource = line.resource();
			// The file's ids are kept (other lines refer to them); a line without one gets a new id.
			ids.put(line, resource.getIdElement().hasIdPart() ? resource.getIdElement().getIdPart() : ResourceStore.newId());
			Map<String, LocalReference> refs = ImportRules.references(resource);
			references.put(line, refs);
			refs.values().forEach(r -> wanted.add(r.versionless()));
			wanted.add(type + "/" + ids.get(line));
		}
		Set<String> stored = visible(wanted, job.context());
		Set<String> existing = existing(type, ids.values());
		Map<String, String> nhsOnRecord = "Patient".equals(type) ? patientsOnRecord(candidates) : Map.of();

		Set<String> batchIds = new HashSet<>();
		Set<String> batchNhs = new HashSet<>();
		List<ImportLine> accepted = new ArrayList<>();
		for (ImportLine line : candidates) {
			String id = ids.get(line);
			List<ValidationIssue> problems = new ArrayList<>();
			if (existing.contains(id) || !batchIds.add(id)) {
				problems.add(ValidationIssue.error(IssueType.DUPLICATE, type + "/" + id + " is already stored: $import creates resources and"
						+ " never overwrites one (change a stored resource through the API, under its rules)", type + ".id"));
			}
			String nhs = nhsNumber(line.resource());
			if (nhs != null && (nhsOnRecord.containsKey(nhs) || !batchNhs.add(nhs))) {
				problems.add(ValidationIssue.error(IssueType.DUPLICATE, "A Patient with this NHS number is already on record: the gateway keeps"
						+ " one Patient per NHS number; refer to the one stored", "Patient.identifier"));
			}
			problems.addAll(rules.ownership(line.resource(), job.callerKeys()));
			problems.addAll(rules.unresolved(line.resource(), references.get(line), new ImportRules.Known() {
				@Override
				public boolean stored(String t, String i) {
					return stored.contains(t + "/" + i) || (t.equals(type) && batchIds.contains(i));
				}

				@Override
				public boolean inJob(String t, String i) {
					return job.ids().holds(t, i);
				}
			}));
			if (problems.isEmpty()) {
				accepted.add(line);
			} else {
				refusals.put(line, problems);
			}
		}

		int imported = 0;
		List<Resource> caseload = new ArrayList<>();
		List<String> caseloadIds = new ArrayList<>();
		for (ImportLine line : accepted) {
			if ("ServiceRequest".equals(type) && !job.ids().hasTaskFor(ids.get(line))) {
				List<ValidationIssue> refused = route(line, ids.get(line), job.context());
				if (refused.isEmpty()) {
					imported++;
				} else {
					refusals.put(line, refused);
				}
				continue;
			}
			caseload.add(line.resource());
			caseloadIds.add(ids.get(line));
		}
		if (!caseload.isEmpty()) {
			resources.createAllNow(caseload, caseloadIds);
			imported += caseload.size();
			if ("Task".equals(type)) {
				recordReferralTasks(caseload, caseloadIds);
			}
		}
		List<BulkImportRecords.Refusal> outcomes = new ArrayList<>();
		refusals.forEach((line, problems) -> outcomes.add(new BulkImportRecords.Refusal(line.number(), outcome(file, line.number(), problems))));
		outcomes.sort((a, b) -> Integer.compare(a.line(), b.line()));
		records.refusals(job.id(), file.number(), outcomes);
		records.advance(job.id(), file.number(), linesDone, imported, outcomes.size());
		return new Result(imported, outcomes.size(), false, false);
	}

	/**
	 * A referral without its Task in the job is a new referral to the gateway: intake checks it (eligibility, routing),
	 * stores it and creates its Task and Provenance. Its refusal refuses the line only: intake's writes are undone to a
	 * savepoint, after its rules were checked first so that nothing refused is ever noted by the audit.
	 */
	private List<ValidationIssue> route(ImportLine line, String id, WriteContext context) {
		ServiceRequest referral = (ServiceRequest) line.resource();
		ValidationReport check = resources.validate(referral.copy(), null, context);
		if (check.hasErrors()) {
			return check.errors();
		}
		try {
			nested.executeWithoutResult(tx -> resources.create("ServiceRequest", new IncomingResource(referral, line.warnings(), id), null, context));
			return List.of();
		} catch (BaseServerResponseException e) {
			return issues(e).stream().filter(ValidationIssue::isError).toList();
		}
	}

	/**
	 * A referral Task imported with its referral is worked through the lifecycle like one intake created: the lifecycle
	 * finds a Task's referral in intake's records.
	 */
	private void recordReferralTasks(List<Resource> tasks, List<String> taskIds) {
		for (int i = 0; i < tasks.size(); i++) {
			LocalReference focus = LocalReference.parse(((Task) tasks.get(i)).getFocus().getReference());
			if (focus != null && "ServiceRequest".equals(focus.type()) && referrals.findByServiceRequest(focus.id()).isEmpty()) {
				referrals.insert(new ReferralRecords.Referral(new ReferralRecords.Key(IMPORTED, IMPORTED, focus.id()), IMPORTED, focus.id(),
						taskIds.get(i)));
			}
		}
	}

	/** Which of {@code Type/id} references are stored and visible to the job's caller. */
	private Set<String> visible(Set<String> references, WriteContext context) {
		if (references.isEmpty()) {
			return Set.of();
		}
		List<String> types = new ArrayList<>();
		List<String> idList = new ArrayList<>();
		for (String reference : references) {
			int slash = reference.indexOf('/');
			types.add(reference.substring(0, slash));
			idList.add(reference.substring(slash + 1));
		}
		List<Object> args = new ArrayList<>(List.of(types.toArray(new String[0]), idList.toArray(new String[0])));
		String where = "";
		if (context.scope().predicate() != null) {
			where = " WHERE " + context.scope().predicate().sql();
			args.addAll(context.scope().predicate().args());
		}
		return new HashSet<>(jdbc.queryForList("SELECT r.res_type || '/' || r.res_id FROM unnest(?::text[], ?::text[]) AS w(res_type, res_id)"
				+ " JOIN resource r ON r.res_type = w.res_type AND r.res_id = w.res_id" + where, String.class, args.toArray()));
	}

	/** Which of the ids are taken for the type, visible or not. */
	private Set<String> existing(String type, Collection<String> candidateIds) {
		if (candidateIds.isEmpty()) {
			return Set.of();
		}
		return new HashSet<>(jdbc.queryForList("SELECT res_id FROM resource WHERE res_type = ? AND res_id = ANY(?::text[])", String.class, type,
				candidateIds.toArray(new String[0])));
	}

	/** NHS numbers of the batch's Patients already on record, to the stored Patient's id. */
	private Map<String, String> patientsOnRecord(List<ImportLine> lines) {
		List<String> numbers = lines.stream().map(l -> nhsNumber(l.resource())).filter(n -> n != null).toList();
		if (numbers.isEmpty()) {
			return Map.of();
		}
		Map<String, String> found = new HashMap<>();
		jdbc.query("SELECT t.code, r.res_id FROM idx_token t JOIN resource r ON r.res_pk = t.res_pk WHERE t.res_type = 'Patient'"
				+ " AND t.param = 'identifier' AND t.system = ? AND t.code = ANY(?::text[])", rs -> {
					found.put(rs.getString(1), rs.getString(2));
				}, NhsIdentifiers.NHS_NUMBER, numbers.toArray(new String[0]));
		return found;
	}

	private static String nhsNumber(Resource resource) {
		if (!(resource instanceof Patient patient)) {
			return null;
		}
		return patient.getIdentifier().stream().filter(i -> NhsIdentifiers.NHS_NUMBER.equals(i.getSystem())).map(Identifier::getValue)
				.filter(v -> v != null).findFirst().orElse(null);
	}

	/** The OperationOutcome of one refused line: where it is, then each problem with its FHIRPath. */
	private String outcome(BulkImportRecords.File file, int line, List<ValidationIssue> problems) {
		List<ValidationIssue> located = problems.stream().map(p -> new ValidationIssue(p.severity(), p.type(), "Line " + line + " of the "
				+ file.type() + " input (" + file.url() + "): " + p.diagnostics(), p.expression())).toList();
		OperationOutcome outcome = Outcomes.of(located);
		outcome.addExtension().setUrl(ImportManifest.LINE_EXTENSION).setValue(new IntegerType(line));
		outcome.addExtension().setUrl(ImportManifest.INPUT_EXTENSION).setValue(new UriType(file.url()));
		return fhirContext.newJsonParser().encodeResourceToString(outcome);
	}

	private static ImportLine refused(int number, Resource resource, List<ValidationIssue> errors) {
		return new ImportLine(number, resource, errors, List.of());
	}

	private static List<ValidationIssue> issues(BaseServerResponseException e) {
		List<ValidationIssue> issues = new ArrayList<>();
		for (OperationOutcome.OperationOutcomeIssueComponent issue : Outcomes.outcomeOf(e).getIssue()) {
			issues.add(new ValidationIssue(issue.getSeverity(), issue.getCode(), issue.getDiagnostics(),
					issue.hasExpression() ? issue.getExpression().get(0).getValue() : null));
		}
		return issues;
	}
}
