package org.spgateway.bulkimport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spgateway.testsupport.Caseload;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.NdjsonServer;

/**
 * A job outlives the gateway that started it, and a cancelled one stops: on a gateway of its own with small batches,
 * so that a job of a few hundred lines takes long enough to be stopped half way.
 */
class BulkImportResumeIT {

	private static final Pattern PROGRESS = Pattern.compile("\\((\\d+) of (\\d+) lines");
	private static final long NHS_BASE = Math.floorMod(System.nanoTime() * 17L, 400_000_000L);

	@TempDir
	static Path dir;

	static GatewayServer gateway;
	static Caseload caseload;
	static NdjsonServer files;

	@BeforeAll
	static void start() {
		gateway = GatewayServer.start("gateway.sandbox=true", "gateway.bulk-import.batch-size=3", "gateway.bulk-import.validation-threads=1");
		caseload = Caseload.capture((method, path, body, headers) -> Http.request(method, gateway.baseUrl() + path, body, headers),
				Caseload.nhsNumber(NHS_BASE, 999_999), "resume-template-" + UUID.randomUUID());
		files = NdjsonServer.serve(dir);
	}

	@AfterAll
	static void stop() {
		files.close();
		gateway.close();
	}

	@Test
	void aJobCarriesOnFromItsLastCommittedBatchAfterTheGatewayStopsAndStoresEveryLineOnce() {
		String prefix = "resume" + UUID.randomUUID().toString().substring(0, 8);
		int referrals = 30;
		Map<String, Path> inputs = caseload.write(dir.resolve(prefix), prefix, 0, referrals, n -> Caseload.nhsNumber(NHS_BASE, n));
		int before = Imports.count(gateway, "Observation", gateway.tokenFor("demo-tester"));
		String status = Imports.start(gateway, gateway.tokenFor("demo-tester"), Imports.parameters(files, inputs));
		int[] progress = awaitProgress(status);
		assertThat(progress[0]).as("stopped part way").isLessThan(progress[1]);

		gateway.restart();
		String tester = gateway.tokenFor("demo-tester");
		HttpResponse<String> done = Imports.await(gateway.onThisServer(status), tester, Duration.ofMinutes(4));

		assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
		JsonNode manifest = Imports.json(done.body());
		assertThat(manifest.path("error")).as("no line refused, none stored twice").isEmpty();
		int total = 0;
		for (JsonNode output : manifest.path("output")) {
			total += output.path("count").asInt();
		}
		assertThat(total).isEqualTo(referrals * caseload.resourcesPerReferral());
		assertThat(Imports.count(gateway, "Observation", tester) - before).isEqualTo(referrals * 8);
		assertThat(Imports.count(gateway, "Task?_id=" + caseload.idOf(prefix, referrals - 1, "Task"), tester)).isEqualTo(1);
	}

	@Test
	void aCancelledJobStoresNothingMoreAndItsStatusIsGone() {
		String prefix = "cancel" + UUID.randomUUID().toString().substring(0, 8);
		int referrals = 30;
		Map<String, Path> inputs = caseload.write(dir.resolve(prefix), prefix, 0, referrals, n -> Caseload.nhsNumber(NHS_BASE, 10_000 + n));
		String tester = gateway.tokenFor("demo-tester");
		String status = Imports.start(gateway, tester, Imports.parameters(files, inputs));
		awaitProgress(status);

		HttpResponse<String> cancelled = Http.delete(status, "Authorization", "Bearer " + tester);
		assertThat(cancelled.statusCode()).isEqualTo(202);
		assertThat(cancelled.body()).contains("cancelled");
		int stored = storedOfTheCaseload(tester);
		Imports.sleep(1500);
		assertThat(storedOfTheCaseload(tester)).as("nothing stored after the cancellation was answered").isEqualTo(stored);
		assertThat(Imports.poll(status, tester).statusCode()).isEqualTo(404);
		assertThat(Imports.count(gateway, "Task?_id=" + caseload.idOf(prefix, referrals - 1, "Task"), tester)).isZero();
	}

	/** Every stored resource of the types a caseload holds. */
	private static int storedOfTheCaseload(String token) {
		int total = 0;
		for (String type : Caseload.TYPES) {
			total += Imports.count(gateway, type, token);
		}
		return total;
	}

	/** Waits until the job has committed at least one batch: the lines done and the lines in all. */
	private static int[] awaitProgress(String status) {
		for (int i = 0; i < 600; i++) {
			HttpResponse<String> answer = Imports.poll(status, gateway.tokenFor("demo-tester"));
			String progress = answer.headers().firstValue("X-Progress").orElse("");
			Matcher m = PROGRESS.matcher(progress);
			if (m.find() && Integer.parseInt(m.group(1)) > 0) {
				return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
			}
			if (answer.statusCode() != 202) {
				throw new AssertionError("The job finished before it could be stopped: " + answer.statusCode());
			}
			Imports.sleep(50);
		}
		throw new AssertionError("The job made no progress");
	}
}
