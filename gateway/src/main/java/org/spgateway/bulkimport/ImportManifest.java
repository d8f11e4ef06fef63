package org.spgateway.bulkimport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * What the status URL answers: progress while a job runs ({@code X-Progress}), and once it has completed the Bulk Data
 * manifest: per input its resource type, url and how many resources were imported, and per input with refused lines
 * an error file of OperationOutcomes (NDJSON) served by the gateway.
 */
final class ImportManifest {

	/** On each refused line's OperationOutcome: the line's number in its input. */
	static final String LINE_EXTENSION = "https://spgateway.org/fhir/StructureDefinition/bulk-import-line";
	/** On each refused line's OperationOutcome: the input's url. */
	static final String INPUT_EXTENSION = "https://spgateway.org/fhir/StructureDefinition/bulk-import-input";

	private static final ObjectMapper JSON = new ObjectMapper();

	private ImportManifest() {}

	/** The manifest of a completed job. */
	static String manifest(BulkImportRecords.Job job, List<BulkImportRecords.File> files, String statusUrl, String base) {
		ObjectNode manifest = JSON.createObjectNode();
		manifest.put("transactionTime", job.created().toString());
		manifest.put("request", base + "/$import");
		manifest.put("requiresAccessToken", true);
		ArrayNode output = manifest.putArray("output");
		ArrayNode error = manifest.putArray("error");
		for (BulkImportRecords.File file : files) {
			output.addObject().put("type", file.type()).put("inputUrl", file.url()).put("count", file.imported());
			if (file.refused() > 0) {
				error.addObject().put("type", "OperationOutcome").put("inputUrl", file.url()).put("count", file.refused())
						.put("url", statusUrl + "&_errors=" + file.number());
			}
		}
		return manifest.toString();
	}

	/** {@code X-Progress} of a job that has not finished. */
	static String progress(BulkImportRecords.Job job, List<BulkImportRecords.File> files) {
		if (job.status() == BulkImportRecords.Status.QUEUED) {
			return "queued";
		}
		long total = 0;
		long done = 0;
		long refused = 0;
		boolean fetched = true;
		for (BulkImportRecords.File file : files) {
			fetched &= file.totalLines() != null;
			total += file.totalLines() == null ? 0 : file.totalLines();
			done += file.linesDone();
			refused += file.refused();
		}
		if (!fetched) {
			return "fetching inputs";
		}
		int percent = total == 0 ? 100 : (int) (done * 100 / total);
		return String.format(Locale.ROOT, "%d%% (%d of %d lines, %d refused)", percent, done, total, refused);
	}
}
