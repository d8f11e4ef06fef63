package org.spgateway.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spgateway.config.GatewayProperties;
import org.spgateway.intake.TestNhsNumbers;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.HookReceiver;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.ReferralWork;
import org.spgateway.testsupport.TestDatabase;

/**
 * PostgreSQL stopped (fast shutdown: in-flight transactions are aborted) and started again while
 * several clients send referrals: every answer is 2xx or 503 with Retry-After and a plain-words
 * OperationOutcome, every accepted referral has its Task and its notification, no refused one was
 * stored, health says DOWN then UP, and requests succeed again soon after the restart without
 * restarting the gateway. Once for an external database started again by the test, once for the
 * gateway's own embedded one, which the gateway starts again itself.
 * The database here is a PostgreSQL of the test's own, never the shared test database.
 */
class DatabaseOutageIT {

	static final Duration RECOVERY = Duration.ofSeconds(20);
	static final String REFERRAL_SYSTEM = "https://fhir.a99901.example.nhs.uk/Id/referral";
	static final List<String> INTERNALS = List.of("SQL", "sql", "postgres", "Postgres", "Hikari", "jdbc", "JDBC", "Exception", "java.",
			"org.", "SQLSTATE");
	static final String[] FAST = {
		"gateway.sandbox=true",
		"gateway.notifications.require-https=false",
		"gateway.notifications.subscription-refresh=200ms",
		"gateway.notifications.delivery.poll-interval=200ms",
		"gateway.notifications.delivery.initial-backoff=100ms",
		"gateway.notifications.delivery.max-backoff=1s",
		// A request waits at most this long for a connection during the outage.
		"spring.datasource.hikari.connection-timeout=1000",
		"spring.datasource.hikari.validation-timeout=500",
	};

	/** Stops and starts the database under a gateway. */
	interface Database {
		void stop() throws IOException;

		void start() throws IOException;

		/**
		 * Whether the outage lasts until {@link #start()}: then health must say DOWN and requests must be
		 * refused meanwhile. A server the gateway starts again itself may be back within a request's wait.
		 */
		default boolean heldDown() {
			return true;
		}
	}

	/** One request a client sent and what it was answered. */
	record Sent(String what, String identifier, HttpResponse<String> response) {}

	@Test
	void anExternalDatabaseStoppedAndStartedUnderLoadLosesNothingAndTheGatewayRecoversByItself(@TempDir Path dir) throws Exception {
		Path data = dir.resolve("pg");
		int port = freePort();
		EmbeddedPostgres[] postgres = {startPostgres(data, port)};
		String url = TestDatabase.newDatabaseOn(postgres[0], "gateway");
		try (HookReceiver receiver = HookReceiver.start(); GatewayServer gateway = GatewayServer.startOn(url, FAST)) {
			survivesAnOutage(gateway, receiver, new Database() {
				@Override
				public void stop() throws IOException {
					postgres[0].close();
				}

				@Override
				public void start() throws IOException {
					postgres[0] = startPostgres(data, port);
				}
			});
		} finally {
			postgres[0].close();
		}
	}

	@Test
	void theEmbeddedDatabaseStoppedUnderLoadIsStartedAgainByTheGatewayWhichRecoversByItself(@TempDir Path dir) throws Exception {
		Path dataDir = dir.resolve("data");
		try (HookReceiver receiver = HookReceiver.start(); GatewayServer gateway = GatewayServer.startEmbedded(dataDir, FAST)) {
			survivesAnOutage(gateway, receiver, new Database() {
				@Override
				public void stop() throws IOException {
					// The gateway's own postmaster, stopped from outside as pg_ctl stop -m fast does (SIGINT).
					String pid = Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(0).trim();
					try {
						assertThat(new ProcessBuilder("kill", "-INT", pid).start().waitFor()).isZero();
						long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
						while (ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false)) {
							assertThat(System.nanoTime()).as("PostgreSQL stopped").isLessThan(deadline);
							Thread.sleep(20);
						}
					} catch (InterruptedException e) {
						Thread.currentThread().interrupt();
						throw new IOException(e);
					}
				}

				@Override
				public void start() {
					// Nobody starts it: the gateway notices its PostgreSQL has gone and starts it again itself.
				}

				@Override
				public boolean heldDown() {
					return false;
				}
			});
		}
	}

	private void survivesAnOutage(GatewayServer gateway, HookReceiver receiver, Database database) throws Exception {
		String ods = "O" + (10_000 + ThreadLocalRandom.current().nextInt(89_999));
		Reference service = ReferralWork.addProvider(gateway, ods);
		Subscription subscription = Fixtures.resource(DatabaseOutageIT.class, "outage-subscription.json", Subscription.class);
		subscription.setCriteria("Task?owner:identifier=" + ReferralWork.ODS + "|" + ods);
		subscription.getChannel().setEndpoint(receiver.url("/outage"));
		assertThat(Http.post(gateway.baseUrl() + "/Subscription", Http.json(subscription)).statusCode()).isEqualTo(201);
		String root = gateway.baseUrl().replace("/fhir", "");

		List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
		// One referral first, alone: the directory snapshot other requests use while one reloads it then has the new service.
		refer(gateway, service, sent);
		assertThat(accepted(sent)).as("%s", sent).isEqualTo(1);
		AtomicBoolean running = new AtomicBoolean(true);
		ExecutorService clients = Executors.newFixedThreadPool(3);
		List<Future<?>> work = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			work.add(clients.submit(() -> {
				while (running.get()) {
					refer(gateway, service, sent);
				}
			}));
		}
		awaitAccepted(sent, 3, Duration.ofSeconds(60));

		String killed = postmasterPid(gateway);
		database.stop();
		long stoppedAt = System.nanoTime();
		if (database.heldDown()) {
			HttpResponse<String> health = Http.get(root + "/actuator/health");
			assertThat(health.statusCode()).isEqualTo(503);
			assertThat(health.body()).contains("\"db\":{\"status\":\"DOWN\"");
			assertThat(Http.get(root + "/actuator/health/readiness").statusCode()).isEqualTo(503);
			assertThat(Http.get(root + "/actuator/health/liveness").statusCode()).isEqualTo(200);
			while (System.nanoTime() - stoppedAt < TimeUnit.SECONDS.toNanos(3)) {
				Thread.sleep(100);
			}
		}
		int beforeRestart = sent.size();

		database.start();
		long startedAt = System.nanoTime();
		awaitAccepted(sent, accepted(sent) + 3, RECOVERY);
		assertThat(Duration.ofNanos(System.nanoTime() - startedAt)).as("requests succeed again after the restart").isLessThan(RECOVERY);
		running.set(false);
		for (Future<?> f : work) {
			f.get(60, TimeUnit.SECONDS);
		}
		clients.shutdown();

		List<Sent> all = List.copyOf(sent);
		if (database.heldDown()) {
			assertThat(all.stream().filter(s -> s.response().statusCode() == 503).count()).as("requests were refused during the outage")
					.isGreaterThan(0);
		} else {
			assertThat(postmasterPid(gateway)).as("a new PostgreSQL serves the gateway").isNotNull().isNotEqualTo(killed);
		}
		assertThat(all.size()).isGreaterThan(beforeRestart);
		for (Sent s : all) {
			int status = s.response().statusCode();
			if (status == 503) {
				assertThat(s.response().headers().firstValue("Retry-After")).as(s.what()).isPresent();
				OperationOutcome outcome = Http.parse(s.response(), OperationOutcome.class);
				String diagnostics = outcome.getIssueFirstRep().getDiagnostics();
				assertThat(diagnostics).as(s.what()).containsAnyOf("Nothing was stored", "cannot tell whether it was stored");
				assertThat(INTERNALS).as(s.what() + ": " + s.response().body()).noneMatch(s.response().body()::contains);
			} else {
				assertThat(status).as(s.what() + " answered " + s.response().body()).isBetween(200, 299);
			}
		}

		// Nothing half-written: every accepted referral has its Task and its notification; no refused one was stored.
		List<String> tasks = new ArrayList<>();
		for (Sent s : all) {
			if (!s.what().startsWith("referral")) {
				continue;
			}
			Bundle found = Http.parse(Http.get(gateway.baseUrl() + "/ServiceRequest?identifier=" + REFERRAL_SYSTEM + "|" + s.identifier()
					+ "&_revinclude=Task:focus"), Bundle.class);
			List<String> referrals = ids(found, ServiceRequest.class);
			List<String> taskIds = ids(found, Task.class);
			if (s.response().statusCode() == 503 && s.response().body().contains("cannot tell whether it was stored")) {
				// The connection went during the commit: stored whole, or not at all.
				assertThat(taskIds).as("the Task of " + s.identifier() + ", if it was stored").hasSameSizeAs(referrals);
			} else if (s.response().statusCode() == 503) {
				assertThat(referrals).as("refused " + s.identifier() + " was not stored").isEmpty();
				assertThat(taskIds).isEmpty();
			} else {
				assertThat(referrals).as("accepted " + s.identifier()).hasSize(1);
				assertThat(taskIds).as("the Task of accepted " + s.identifier()).hasSize(1);
				tasks.add(taskIds.get(0));
			}
		}
		for (String task : tasks) {
			receiver.await(r -> r.path().equals("/outage/Task/" + task), 1, Duration.ofSeconds(60));
		}
		assertThat(Http.get(root + "/actuator/health").body()).contains("\"db\":{\"status\":\"UP\"");
		assertThat(Http.get(root + "/actuator/health/readiness").statusCode()).isEqualTo(200);
	}

	/** A new person and a referral for them, each recorded with its answer; a refused patient ends the attempt. */
	private static void refer(GatewayServer gateway, Reference service, List<Sent> sent) {
		String patient = Fixtures.text(ReferralWork.class, "patient.json").replace("${NHS}", TestNhsNumbers.next());
		HttpResponse<String> created = Http.post(gateway.baseUrl() + "/Patient", patient);
		sent.add(new Sent("patient", null, created));
		if (created.statusCode() != 201) {
			return;
		}
		String patientId = Http.parse(created, Patient.class).getIdElement().getIdPart();
		String identifier = "OUTAGE-" + UUID.randomUUID();
		ServiceRequest referral = GatewayServer.fhirContext().newJsonParser().parseResource(ServiceRequest.class,
				Fixtures.text(ReferralWork.class, "referral.json").replace("${REF}", identifier).replace("${PATIENT}", patientId));
		referral.addPerformer(service.copy());
		sent.add(new Sent("referral " + identifier, identifier, Http.post(gateway.baseUrl() + "/ServiceRequest", Http.json(referral))));
	}

	/** The embedded server's postmaster pid, or null for a gateway on an external database. */
	private static String postmasterPid(GatewayServer gateway) throws IOException {
		if (gateway.jdbcUrl() != null) {
			return null;
		}
		Path pidFile = gateway.bean(GatewayProperties.class).getDataDir().resolve("postgres/postmaster.pid");
		return Files.readAllLines(pidFile).get(0).trim();
	}

	private static int accepted(List<Sent> sent) {
		synchronized (sent) {
			return (int) sent.stream().filter(s -> s.what().startsWith("referral") && s.response().statusCode() == 201).count();
		}
	}

	private static void awaitAccepted(List<Sent> sent, int count, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (accepted(sent) < count) {
			assertThat(System.nanoTime()).as("%d referrals accepted within %s", count, timeout).isLessThan(deadline);
			Thread.sleep(50);
		}
	}

	private static List<String> ids(Bundle bundle, Class<?> type) {
		return bundle.getEntry().stream().filter(e -> type.isInstance(e.getResource()))
				.map(e -> e.getResource().getIdElement().getIdPart()).toList();
	}

	private static EmbeddedPostgres startPostgres(Path data, int port) throws IOException {
		Files.createDirectories(data);
		return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port)
				.setServerConfig("fsync", "off").start();
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
