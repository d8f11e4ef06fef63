package org.spgateway.bulkimport;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import org.spgateway.authentication.AuthenticationRefusals;
import org.spgateway.authentication.ScopeCheck;
import org.spgateway.authentication.SmartScopes;
import org.spgateway.fhir.Outcomes;
import org.spgateway.resources.ResourceService;
import org.spgateway.security.AccessRefusals;
import org.spgateway.security.Caller;
import org.spgateway.security.OutboundAddressRules;
import org.spgateway.security.RequestGate;
import org.spgateway.security.Role;
import org.spgateway.server.RequestIdFilter;
import org.spgateway.server.SystemProvider;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code POST [base]/$import} (the Bulk Data import draft's kick-off: a {@code Parameters} body naming NDJSON files by
 * url, {@code Prefer: respond-async}) and its status URL {@code [base]/$import-poll-status?_jobId=...}: 202 with
 * {@code X-Progress} while the job runs, 200 with the manifest when it has completed, {@code &_errors=n} for an input's
 * refused lines, DELETE to cancel. Thin: {@link ImportInputs} reads the request, {@link ImportWorker} does the work.
 */
public class BulkImportProvider implements SystemProvider {

	private static final int MAX_INPUTS = 50;

	private final FhirContext fhirContext;
	private final ResourceService resources;
	private final BulkImportRecords records;
	private final ImportWorker worker;
	private final OutboundAddressRules addresses;
	private final TransactionTemplate transactions;

	BulkImportProvider(FhirContext fhirContext, ResourceService resources, BulkImportRecords records, ImportWorker worker,
			OutboundAddressRules addresses, TransactionTemplate transactions) {
		this.fhirContext = fhirContext;
		this.resources = resources;
		this.records = records;
		this.worker = worker;
		this.addresses = addresses;
		this.transactions = transactions;
	}

	@Operation(name = "$import", manualRequest = true, manualResponse = true, idempotent = false)
	public void kickOff(RequestDetails request, HttpServletResponse response) throws IOException {
		Caller caller = RequestGate.callerOf(request);
		if (caller == null || (caller.role() != Role.PROVIDER && caller.role() != Role.TESTER)) {
			throw AccessRefusals.forbidden("$import loads a provider's caseload: only a provider (for its own organisation) or a tester in"
					+ " sandbox mode may start one", null);
		}
		String prefer = request.getHeader("Prefer");
		if (prefer == null || !prefer.toLowerCase(Locale.ROOT).contains("respond-async")) {
			throw Outcomes.invalid("$import runs asynchronously: send the header Prefer: respond-async", null);
		}
		EncodingEnum encoding = RestfulServerUtils.determineRequestEncodingNoDefault(request);
		byte[] body = request.loadRequestContents();
		Parameters parameters = (Parameters) resources.parse(body == null ? null : new String(body, StandardCharsets.UTF_8),
				encoding == null ? EncodingEnum.JSON : encoding, "Parameters");
		ImportInputs.Parsed parsed = ImportInputs.parse(parameters, addresses, MAX_INPUTS);
		if (!parsed.problems().isEmpty()) {
			OperationOutcome outcome = Outcomes.of(parsed.problems());
			throw new InvalidRequestException(parsed.problems().get(0).diagnostics(), outcome);
		}
		for (ImportInputs.Input input : parsed.inputs()) {
			ScopeCheck.Need need = ScopeCheck.forImport(input.type());
			if (!SmartScopes.allows(caller.scopes(), need.type(), need.permission())) {
				throw AuthenticationRefusals.missingScope("$import of " + input.type() + " resources", need);
			}
		}
		String jobId = UUID.randomUUID().toString();
		BulkImportRecords.Job job = new BulkImportRecords.Job(jobId, caller.clientId(), ImportCaller.write(caller), attribute(request,
				RequestIdFilter.REQUEST_ID), attribute(request, RequestIdFilter.CORRELATION_ID), BulkImportRecords.Status.QUEUED, null, null, null);
		transactions.executeWithoutResult(tx -> records.create(job, parsed.inputs()));
		worker.submit(jobId);
		response.setStatus(202);
		response.setHeader("Content-Location", statusUrl(request, jobId));
		write(response, Outcomes.single(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, "Import job " + jobId + " accepted with "
				+ parsed.inputs().size() + " input(s); follow Content-Location for its progress and, when it has finished, its manifest", null));
	}

	@Operation(name = "$import-poll-status", manualResponse = true, idempotent = true, deleteEnabled = true)
	public void status(@OperationParam(name = "_jobId") StringType jobId, @OperationParam(name = "_errors") StringType errors,
			RequestDetails request, HttpServletResponse response) throws IOException {
		if (jobId == null || jobId.isEmpty()) {
			throw Outcomes.invalid("Give the job: $import-poll-status?_jobId=... as in the kick-off's Content-Location", null);
		}
		BulkImportRecords.Job job = records.find(jobId.getValue()).filter(j -> ownedByCaller(j, request))
				.orElseThrow(() -> new ResourceNotFoundException("There is no import job " + jobId.getValue() + " of yours"));
		if (request.getRequestType() == RequestTypeEnum.DELETE) {
			cancel(job, response);
			return;
		}
		List<BulkImportRecords.File> files = records.files(job.id());
		switch (job.status()) {
			case QUEUED, RUNNING -> {
				response.setStatus(202);
				response.setHeader("X-Progress", ImportManifest.progress(job, files));
				response.setHeader("Retry-After", "2");
			}
			case CANCELLED -> throw new ResourceNotFoundException("Import job " + job.id() + " was cancelled");
			case FAILED -> throw Outcomes.unprocessable(job.failure(), null);
			case COMPLETED -> {
				if (errors != null && !errors.isEmpty()) {
					errorFile(job, errors.getValue(), files, response);
				} else {
					byte[] bytes = ImportManifest.manifest(job, files, statusUrl(request, job.id()), request.getFhirServerBase())
							.getBytes(StandardCharsets.UTF_8);
					response.setStatus(200);
					response.setContentType("application/json;charset=UTF-8");
					response.setContentLength(bytes.length);
					response.getOutputStream().write(bytes);
				}
			}
			default -> throw new IllegalStateException("Unknown job status");
		}
	}

	private void cancel(BulkImportRecords.Job job, HttpServletResponse response) throws IOException {
		// Waits for a batch being stored (it holds the job's row): nothing is stored once this has been answered.
		boolean cancelled = Boolean.TRUE.equals(transactions.execute(tx -> records.cancel(job.id())));
		String words = cancelled ? "Import job " + job.id() + " cancelled; what its batches stored before stays stored"
				: "Import job " + job.id() + " had already finished; nothing was changed";
		response.setStatus(202);
		write(response, Outcomes.single(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, words, null));
	}

	private void errorFile(BulkImportRecords.Job job, String which, List<BulkImportRecords.File> files, HttpServletResponse response)
			throws IOException {
		BulkImportRecords.File file = files.stream().filter(f -> Integer.toString(f.number()).equals(which)).findFirst()
				.orElseThrow(() -> Outcomes.invalid("Import job " + job.id() + " has no input " + which, null));
		response.setStatus(200);
		response.setContentType(ImportInputs.NDJSON + ";charset=UTF-8");
		OutputStream out = response.getOutputStream();
		records.eachRefusal(job.id(), file.number(), outcome -> {
			try {
				out.write(outcome.getBytes(StandardCharsets.UTF_8));
				out.write('\n');
			} catch (IOException e) {
				throw new IllegalStateException("The error file could not be written", e);
			}
		});
	}

	private static boolean ownedByCaller(BulkImportRecords.Job job, RequestDetails request) {
		Caller caller = RequestGate.callerOf(request);
		return caller != null && caller.clientId().equals(job.clientId());
	}

	private static String statusUrl(RequestDetails request, String jobId) {
		return request.getFhirServerBase() + "/$import-poll-status?_jobId=" + jobId;
	}

	private static String attribute(RequestDetails request, String name) {
		if (request instanceof ServletRequestDetails servlet && servlet.getServletRequest().getAttribute(name) != null) {
			return servlet.getServletRequest().getAttribute(name).toString();
		}
		return request.getHeader(name);
	}

	private void write(HttpServletResponse response, OperationOutcome outcome) throws IOException {
		byte[] bytes = fhirContext.newJsonParser().encodeResourceToString(outcome).getBytes(StandardCharsets.UTF_8);
		response.setContentType("application/fhir+json;charset=UTF-8");
		response.setContentLength(bytes.length);
		response.getOutputStream().write(bytes);
	}
}
