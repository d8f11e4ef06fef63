package org.spgateway.benchmark;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The gateway jar running as its own process on a fresh embedded database, as a user would run it. */
final class GatewayProcess {

	private final Process process;
	private final int port;
	private final Path dataDir;

	private GatewayProcess(Process process, int port, Path dataDir) {
		this.process = process;
		this.port = port;
		this.dataDir = dataDir;
	}

	static GatewayProcess start(Path jar, String jvmOptions) throws Exception {
		return start(jar, jvmOptions, null);
	}

	/** The gateway on {@code existing}, a data directory an earlier run kept, or on a fresh one when it is null. */
	static GatewayProcess start(Path jar, String jvmOptions, Path existing) throws Exception {
		if (!Files.exists(jar)) {
			throw new IllegalStateException(jar + " does not exist: build it first with mvn -B -q package -DskipTests");
		}
		int port = GatewayBenchmark.freePort();
		Path dataDir = existing != null ? existing : Files.createTempDirectory("sp-gateway-bench");
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(Arrays.asList(jvmOptions.trim().split("\\s+")));
		command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "--server.port=" + port, "--gateway.data-dir=" + dataDir,
				"--logging.level.root=WARN", "--logging.level.org.spgateway=INFO",
				// Referrals are routed through the service directory: the demo one names the services the scenarios refer to.
				"--gateway.sandbox=true", "--gateway.directory.seed-files=" + partnerDirectory(),
				// The benchmark's notification receiver listens on plain http on this machine.
				"--gateway.notifications.require-https=false", "--gateway.feedback.require-https=false",
				// The benchmark measures capacity, and all its clients share one token: the per-client limit (2,500 a second by
				// default) would cap a fast cell. The limiter still runs on every request, as deployed.
				"--gateway.limits.rate.requests-per-second=1000000", "--gateway.limits.rate.burst=1000000"));
		Path log = dataDir.resolve("gateway.log");
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
		GatewayProcess gateway = new GatewayProcess(process, port, dataDir);
		gateway.awaitReady(Duration.ofMinutes(3), log);
		System.err.println("Gateway started (pid " + process.pid() + ", log " + log + ")");
		return gateway;
	}

	String baseUrl() {
		return "http://localhost:" + port + "/fhir";
	}

	long pid() {
		return process.pid();
	}

	/** The gateway's data directory (its embedded PostgreSQL cluster and log). */
	Path dataDir() {
		return dataDir;
	}

	private void awaitReady(Duration timeout, Path log) throws Exception {
		HttpClient http = HttpClient.newHttpClient();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new IllegalStateException("The gateway exited during start-up; see " + log);
			}
			try {
				HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health")).build(),
						HttpResponse.BodyHandlers.ofString());
				if (r.statusCode() == 200) {
					return;
				}
			} catch (IOException notYet) {
				// still starting
			}
			Thread.sleep(500);
		}
		throw new IllegalStateException("The gateway did not become healthy within " + timeout + "; see " + log);
	}

	void stop() throws InterruptedException {
		process.destroy();
		if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
			process.destroyForcibly();
		}
	}

	/** The referring council of the partner-JSON scenario (mappings/riverside-social-care), beside the demo directory. */
	private static String partnerDirectory() {
		Path file = Path.of("docs/examples/riverside-social-care/directory.json");
		return (Files.exists(file) ? file : Path.of("../docs/examples/riverside-social-care/directory.json")).toAbsolutePath().toString();
	}
}
