package org.spgateway.bulkimport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spgateway.testsupport.Caseload;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.NdjsonServer;
import org.spgateway.testsupport.ReferralWork;
import org.spgateway.testsupport.SandboxGateway;
import org.springframework.jdbc.core.JdbcTemplate;

/** $import end to end on the sandbox gateway: what a provider's caseload becomes, and what is refused. */
class BulkImportIT {

	private static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	private static final long NHS_BASE = Math.floorMod(System.nanoTime() * 31L, 400_000_000L);

	@TempDir
	static Path dir;

	static GatewayServer gateway;
	static Caseload caseload;
	static NdjsonServer files;

	@BeforeAll
	static void capture() {
		gateway = SandboxGateway.get();
		caseload = Caseload.capture((method, path, body, headers) -> Http.request(method, gateway.baseUrl() + path, body, headers),
				Caseload.nhsNumber(NHS_BASE, 999_999), "bulk-template-" + UUID.randomUUID());
		files = NdjsonServer.serve(dir);
	}

	@AfterAll
	static void stop() {
		files.close();
	}

	private static String token(String client) {
		return gateway.tokenFor(client);
	}

	private static String prefix() {
		return "imp" + UUID.randomUUID().toString().substring(0, 8);
	}

	private static Map<String, Path> write(String prefix, int referrals, int nhsOffset) {
		return caseload.write(dir.resolve(prefix), prefix, 0, referrals, n -> Caseload.nhsNumber(NHS_BASE, nhsOffset + n));
	}

	@Test
	void aProvidersCaseloadIsStoredSearchableWorkableAndSeenOnlyByItsReferralsParties() {
		String prefix = prefix();
		Map<String, Path> inputs = write(prefix, 3, 0);
		String provider = token("demo-provider");
		HttpResponse<String> done = Imports.await(Imports.start(gateway, provider, Imports.parameters(files, inputs)), provider, Duration.ofMinutes(2));

		assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
		JsonNode manifest = Imports.json(done.body());
		assertThat(manifest.path("error")).isEmpty();
		Map<String, Integer> counts = new LinkedHashMap<>();
		manifest.path("output").forEach(o -> counts.put(o.path("type").asText(), o.path("count").asInt()));
		assertThat(counts).containsEntry("Patient", 3).containsEntry("ServiceRequest", 3).containsEntry("Task", 3).containsEntry("Provenance", 3)
				.containsEntry("QuestionnaireResponse", 3).containsEntry("Observation", 24);

		String task = caseload.idOf(prefix, 1, "Task");
		String patient = caseload.idOf(prefix, 1, "Patient");
		String referral = caseload.idOf(prefix, 1, "ServiceRequest");
		// Stored with the file's ids, and the provider finds them in its work queue and by NHS number.
		assertThat(Http.get(gateway.baseUrl() + "/Task/" + task, "Authorization", "Bearer " + provider).statusCode()).isEqualTo(200);
		assertThat(Imports.count(gateway, "Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C" + Caseload.nhsNumber(NHS_BASE, 1), provider))
				.isEqualTo(1);
		assertThat(Imports.count(gateway, "Task?owner:identifier=" + ODS + "%7CX99901&focus=ServiceRequest/" + referral, provider)).isEqualTo(1);
		// The referrer (A99902) sees its referral; another practice and a community group see none of it.
		assertThat(Http.get(gateway.baseUrl() + "/ServiceRequest/" + referral, "Authorization", "Bearer " + token("demo-gp2")).statusCode())
				.isEqualTo(200);
		for (String outsider : List.of("demo-gp", "demo-community")) {
			for (String resource : List.of("Task/" + task, "Patient/" + patient, "ServiceRequest/" + referral)) {
				assertThat(Http.get(gateway.baseUrl() + "/" + resource, "Authorization", "Bearer " + token(outsider)).statusCode())
						.as(outsider + " reading " + resource).isEqualTo(404);
			}
		}
		// The imported Task is worked through the lifecycle like one intake created.
		assertThat(ReferralWork.moveTo(gateway, task, TaskStatus.ACCEPTED).getStatus()).isEqualTo(TaskStatus.ACCEPTED);
		// Each committed batch is audited as the provider's $import.
		assertThat(auditedVersions("Task/" + task)).isGreaterThanOrEqualTo(1);
	}

	@Test
	void aFinishedJobHasRefreshedThePlannersStatisticsOfTheTablesItWrote() {
		// Autovacuum would analyze minutes later (its own counter); the job's ANALYZE is counted in analyze_count before it reads completed.
		JdbcTemplate jdbc = gateway.bean(JdbcTemplate.class);
		Map<String, Long> before = analyzeCounts(jdbc);
		String tester = token("demo-tester");
		HttpResponse<String> done = Imports.await(Imports.start(gateway, tester, Imports.parameters(files, write(prefix(), 2, 600))), tester,
				Duration.ofMinutes(2));

		assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
		Map<String, Long> after = analyzeCounts(jdbc);
		for (String table : List.of("resource", "resource_access", "idx_token", "idx_reference", "idx_date")) {
			assertThat(after.get(table)).as(table).isGreaterThan(before.get(table));
		}
	}

	private static Map<String, Long> analyzeCounts(JdbcTemplate jdbc) {
		Map<String, Long> counts = new LinkedHashMap<>();
		jdbc.query("SELECT relname, analyze_count FROM pg_stat_user_tables", rs -> {
			counts.put(rs.getString(1), rs.getLong(2));
		});
		return counts;
	}

	@Test
	void aReferralWithoutItsTaskInTheJobIsRoutedToANewTaskAsIntakeWouldRouteIt() {
		String prefix = prefix();
		Map<String, Path> all = write(prefix, 1, 100);
		Map<String, Path> inputs = new LinkedHashMap<>();
		inputs.put("Patient", all.get("Patient"));
		inputs.put("Condition", all.get("Condition"));
		inputs.put("ServiceRequest", all.get("ServiceRequest"));
		String tester = token("demo-tester");
		HttpResponse<String> done = Imports.await(Imports.start(gateway, tester, Imports.parameters(files, inputs)), tester, Duration.ofMinutes(2));

		assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
		assertThat(Imports.json(done.body()).path("error")).as(done.body()).isEmpty();
		String referral = caseload.idOf(prefix, 0, "ServiceRequest");
		assertThat(Imports.count(gateway, "Task?focus=ServiceRequest/" + referral + "&owner:identifier=" + ODS + "%7CX99901", tester)).isEqualTo(1);
		assertThat(Imports.count(gateway, "Task?_id=" + caseload.idOf(prefix, 0, "Task"), tester)).isZero();
	}

	@Test
	void refusedLinesAreReportedWithTheirLineNumberFileAndPathAndNothingIsStoredForThem() throws IOException {
		String prefix = prefix();
		Map<String, Path> all = write(prefix, 3, 200);
		Path patients = all.get("Patient");
		List<String> lines = Files.readAllLines(patients, StandardCharsets.UTF_8);
		// Line 2: a gender that is not a code; line 3: not JSON at all; line 4: a Condition in the Patient file.
		lines.set(1, lines.get(1).replace("\"gender\":\"female\"", "\"gender\":\"sometimes\""));
		lines.set(2, "{ this is not json");
		lines.add(Files.readAllLines(all.get("Condition"), StandardCharsets.UTF_8).get(0));
		Files.write(patients, lines, StandardCharsets.UTF_8);
		Map<String, Path> inputs = new LinkedHashMap<>();
		inputs.put("Patient", patients);
		inputs.put("Task", all.get("Task"));
		String tester = token("demo-tester");
		HttpResponse<String> done = Imports.await(Imports.start(gateway, tester, Imports.parameters(files, inputs)), tester, Duration.ofMinutes(2));

		assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
		JsonNode manifest = Imports.json(done.body());
		assertThat(manifest.path("output").get(0).path("count").asInt()).isEqualTo(1);
		JsonNode patientErrors = manifest.path("error").get(0);
		assertThat(patientErrors.path("count").asInt()).isEqualTo(3);
		List<JsonNode> outcomes = Imports.lines(Imports.poll(patientErrors.path("url").asText(), tester).body());
		assertThat(outcomes).hasSize(3);
		assertThat(outcomes).allSatisfy(o -> assertThat(o.path("resourceType").asText()).isEqualTo("OperationOutcome"));
		assertThat(outcomes.get(0).path("issue").get(0).path("diagnostics").asText()).startsWith("Line 2 of the Patient input (" + files.url(patients));
		assertThat(outcomes.get(0).toString()).contains("Patient.gender");
		assertThat(outcomes.get(1).path("issue").get(0).path("diagnostics").asText()).startsWith("Line 3 of the Patient input");
		assertThat(outcomes.get(2).path("issue").get(0).path("diagnostics").asText()).startsWith("Line 4 of the Patient input")
				.contains("every line of this input must be a Patient");
		assertThat(outcomes.get(0).path("extension").toString()).contains("bulk-import-line").contains("2");
		// Nothing of the refused lines is stored; the Tasks refer to their referrals, which this job neither holds nor finds stored.
		assertThat(Imports.count(gateway, "Patient?_id=" + caseload.idOf(prefix, 1, "Patient"), tester)).isZero();
		assertThat(Imports.count(gateway, "Patient?_id=" + caseload.idOf(prefix, 0, "Patient"), tester)).isEqualTo(1);
		JsonNode taskErrors = manifest.path("error").get(1);
		assertThat(taskErrors.path("count").asInt()).isEqualTo(3);
		String taskOutcome = Imports.lines(Imports.poll(taskErrors.path("url").asText(), tester).body()).get(0).toString();
		assertThat(taskOutcome).contains("Line 1 of the Task input").contains("Task.focus").contains("every reference must resolve");
		assertThat(Imports.count(gateway, "Task?_id=" + caseload.idOf(prefix, 0, "Task"), tester)).isZero();
	}

	@Test
	void aProviderCannotImportAnotherOrganisationsTasks() throws IOException {
		String prefix = prefix();
		Map<String, Path> all = write(prefix, 1, 300);
		Path tasks = all.get("Task");
		Files.writeString(tasks, Files.readString(tasks).replace("X99901", "X99902"));
		String provider = token("demo-provider");
		Map<String, Path> inputs = new LinkedHashMap<>(all);
		HttpResponse<String> done = Imports.await(Imports.start(gateway, provider, Imports.parameters(files, inputs)), provider, Duration.ofMinutes(2));

		assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
		JsonNode manifest = Imports.json(done.body());
		JsonNode taskErrors = null;
		for (JsonNode e : manifest.path("error")) {
			if (e.path("inputUrl").asText().endsWith("Task.ndjson")) {
				taskErrors = e;
			}
		}
		assertThat(taskErrors).isNotNull();
		assertThat(Imports.poll(taskErrors.path("url").asText(), provider).body()).contains("Task.owner").contains("its own caseload");
	}

	@Test
	void onlyProvidersAndTestersMayImportAndEachInputsTypeNeedsCreateScope() {
		String prefix = prefix();
		String parameters = Imports.parameters(files, write(prefix, 1, 400));
		for (String client : List.of("demo-gp", "demo-community", "demo-admin", "demo-commissioner")) {
			HttpResponse<String> refused = Imports.kickOff(gateway, token(client), parameters);
			assertThat(refused.statusCode()).as(client).isEqualTo(403);
			assertThat(refused.body()).contains("OperationOutcome");
		}
		String taskOnly = gateway.fromTokenEndpoint("demo-provider", "demo-provider-secret", "system/Task.cru system/ServiceRequest.r");
		HttpResponse<String> refused = Imports.kickOff(gateway, taskOnly, parameters);
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(refused.body()).contains("system/Patient.c");
		assertThat(Imports.count(gateway, "Patient?_id=" + caseload.idOf(prefix, 0, "Patient"), token("demo-tester"))).isZero();
	}

	@Test
	void aJobsStatusIsItsStartersOnly() {
		String tester = token("demo-tester");
		String status = Imports.start(gateway, tester, Imports.parameters(files, write(prefix(), 1, 500)));
		assertThat(Imports.poll(status, token("demo-provider")).statusCode()).isEqualTo(404);
		assertThat(Imports.await(status, tester, Duration.ofMinutes(2)).statusCode()).isEqualTo(200);
	}

	@Test
	void aRequestWithoutRespondAsyncOrWithBadInputsIsRefusedInPlainWords() {
		String tester = token("demo-tester");
		HttpResponse<String> sync = Http.post(gateway.baseUrl() + "/$import", Imports.parameters(files, Map.of()), "Content-Type",
				"application/fhir+json", "Authorization", "Bearer " + tester);
		assertThat(sync.statusCode()).isEqualTo(400);
		assertThat(sync.body()).contains("Prefer: respond-async");
		String bad = "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"inputFormat\",\"valueCode\":\"text/csv\"},"
				+ "{\"name\":\"input\",\"part\":[{\"name\":\"type\",\"valueCode\":\"Organization\"},{\"name\":\"url\",\"valueUri\":\"ftp://x/y\"}]}]}";
		HttpResponse<String> refused = Imports.kickOff(gateway, tester, bad);
		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(refused.body()).contains("inputFormat must be application/fhir+ndjson").contains("Parameters.parameter[0].value")
				.contains("does not import Organization").contains("Parameters.parameter[1].part[0].value").contains("http or https");
	}

	@Test
	void anInputThatCannotBeFetchedFailsTheJobSayingWhy() {
		String tester = token("demo-tester");
		Map<String, Path> missing = Map.of("Patient", dir.resolve("no-such-file.ndjson"));
		HttpResponse<String> done = Imports.await(Imports.start(gateway, tester, Imports.parameters(files, missing)), tester, Duration.ofMinutes(1));
		assertThat(done.statusCode()).isEqualTo(422);
		assertThat(done.body()).contains("Could not fetch").contains("HTTP 404");
	}

	/** How many AuditEvents name a resource, waiting for the audit writer to chain them. */
	private static int auditedVersions(String reference) {
		for (int i = 0; i < 50; i++) {
			int n = Imports.count(gateway, "AuditEvent?entity=" + reference + "&subtype=import", token("demo-tester"));
			if (n > 0) {
				return n;
			}
			Imports.sleep(200);
		}
		return 0;
	}
}
