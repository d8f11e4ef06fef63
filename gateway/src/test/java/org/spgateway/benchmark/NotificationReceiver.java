package org.spgateway.benchmark;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A provider's rest-hook receiver on this machine: registers Subscriptions on the demo provider's
 * Tasks, answers every notification 200 and records when each arrived and how long after its Task
 * was stored (the payload's meta.lastUpdated), for the delivery rate and lag in the report.
 */
final class NotificationReceiver implements AutoCloseable {

	private static final Pattern LAST_UPDATED = Pattern.compile("\"lastUpdated\"\\s*:\\s*\"([^\"]+)\"");
	/** A feedback message's Bundle.timestamp: when the gateway composed it, in the transaction of the Task change. */
	private static final Pattern TIMESTAMP = Pattern.compile("\"timestamp\"\\s*:\\s*\"([^\"]+)\"");

	private final HttpServer server;
	private long[] lagMillis = new long[1 << 16];
	private int count;
	private long firstNanos;
	private long lastNanos;
	private int drained;
	private double drainSeconds;
	private final List<Long> feedbackLagMillis = new ArrayList<>();
	private long feedbackFirstNanos;
	private long feedbackLastNanos;

	NotificationReceiver() throws IOException {
		server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
		server.setExecutor(Executors.newFixedThreadPool(4, r -> {
			Thread t = new Thread(r, "notification-receiver");
			t.setDaemon(true);
			return t;
		}));
		server.createContext("/hooks", exchange -> {
			long arrived = System.nanoTime();
			long now = System.currentTimeMillis();
			String body;
			try (InputStream in = exchange.getRequestBody()) {
				body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			}
			Matcher m = LAST_UPDATED.matcher(body);
			record(arrived, m.find() ? now - OffsetDateTime.parse(m.group(1)).toInstant().toEpochMilli() : -1);
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		server.createContext("/feedback", exchange -> {
			long arrived = System.nanoTime();
			long now = System.currentTimeMillis();
			String body;
			try (InputStream in = exchange.getRequestBody()) {
				body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			}
			Matcher m = TIMESTAMP.matcher(body);
			recordFeedback(arrived, m.find() ? now - OffsetDateTime.parse(m.group(1)).toInstant().toEpochMilli() : -1);
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		server.start();
	}

	/**
	 * Lists a BaRS messaging Endpoint for the referring practice A99901, delivering here, so that every
	 * lifecycle change its referrer hears about (e.g. a Task accepted) is a feedback message to this receiver.
	 */
	void listFeedbackEndpoint(BenchmarkTarget target) throws Exception {
		String endpoint = target.sendOk(target.post("/Endpoint", """
				{"resourceType":"Endpoint","status":"active",
				 "connectionType":{"system":"http://terminology.hl7.org/CodeSystem/endpoint-connection-type","code":"hl7-fhir-msg"},
				 "payloadType":[{"text":"BaRS servicerequest-response"}],"address":"http://127.0.0.1:%d/feedback"}
				""".formatted(server.getAddress().getPort())));
		Matcher id = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"").matcher(endpoint);
		if (!id.find()) {
			throw new IllegalStateException("No Endpoint id in " + endpoint);
		}
		String practice = target.sendOk(target.request("/Organization/ods-A99901").GET().build());
		// A target used before (--target) lists an earlier run's Endpoint: this run's replaces it.
		String listed = practice.replaceFirst(",?\\s*\"endpoint\"\\s*:\\s*\\[[^\\]]*\\]", "")
				.replaceFirst("\\{", "{\"endpoint\":[{\"reference\":\"Endpoint/" + id.group(1) + "\"}],");
		target.sendOk(target.request("/Organization/ods-A99901").header("Content-Type", "application/fhir+json")
				.PUT(HttpRequest.BodyPublishers.ofString(listed)).build());
	}

	private synchronized void recordFeedback(long arrivedNanos, long lag) {
		if (feedbackLagMillis.isEmpty()) {
			feedbackFirstNanos = arrivedNanos;
		}
		feedbackLastNanos = arrivedNanos;
		feedbackLagMillis.add(lag);
	}

	synchronized String feedbackReport() {
		if (feedbackLagMillis.isEmpty()) {
			return "No feedback messages arrived.\n";
		}
		long[] sorted = feedbackLagMillis.stream().mapToLong(Long::longValue).sorted().toArray();
		double span = Math.max(1e-3, (feedbackLastNanos - feedbackFirstNanos) / 1e9);
		return String.format(Locale.ROOT, "Referrer A99901 lists a BaRS Endpoint here; %d feedback messages (servicerequest-response) delivered in %.0f s"
				+ " from the first to the last: %.0f a second. Lag from the message being composed (with its Task change) to its arrival: p50 %d ms,"
				+ " p99 %d ms, max %d ms.%n", sorted.length, span, sorted.length / span, percentile(sorted, 50), percentile(sorted, 99),
				sorted[sorted.length - 1]);
	}

	/** Registers {@code count} Subscriptions on every Task the demo provider X99901 owns, all delivering here. */
	void subscribe(BenchmarkTarget target, int subscriptions) throws Exception {
		String endpoint = "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
		for (int i = 0; i < subscriptions; i++) {
			target.sendOk(target.post("/Subscription", """
					{"resourceType":"Subscription","status":"requested","reason":"Benchmark receiver %d",
					 "criteria":"Task?owner:identifier=https://fhir.nhs.uk/Id/ods-organization-code|X99901",
					 "channel":{"type":"rest-hook","endpoint":"%s","payload":"application/fhir+json"}}
					""".formatted(i, endpoint)));
		}
	}

	private synchronized void record(long arrivedNanos, long lag) {
		if (count == 0) {
			firstNanos = arrivedNanos;
		}
		lastNanos = arrivedNanos;
		if (count == lagMillis.length) {
			lagMillis = Arrays.copyOf(lagMillis, count * 2);
		}
		lagMillis[count++] = lag;
	}

	synchronized int received() {
		return count;
	}

	/**
	 * Waits until nothing has arrived for {@code quietSeconds} (the outbox has drained), or at most
	 * {@code max}, and notes how fast the backlog left once no new referrals came in.
	 */
	void awaitQuiet(int quietSeconds, Duration max) throws InterruptedException {
		long started = System.nanoTime();
		int before = received();
		long deadline = started + max.toNanos();
		int seen = -1;
		int quiet = 0;
		while (quiet < quietSeconds && System.nanoTime() < deadline) {
			Thread.sleep(1000);
			int now = received();
			quiet = now == seen ? quiet + 1 : 0;
			seen = now;
		}
		synchronized (this) {
			drained = count - before;
			drainSeconds = Math.max(1e-3, (lastNanos - started) / 1e9);
		}
	}

	synchronized String report(int subscriptions) {
		if (count == 0) {
			return "No notifications arrived.\n";
		}
		long[] sorted = Arrays.copyOf(lagMillis, count);
		Arrays.sort(sorted);
		double span = Math.max(1e-3, (lastNanos - firstNanos) / 1e9);
		return String.format(Locale.ROOT, "%d Subscription(s) on the provider's Tasks; %d notifications delivered (PUT with the Task) in %.0f s"
				+ " from the first to the last: %.0f a second. Lag from the Task being stored to its arrival: p50 %d ms, p99 %d ms, max %d ms.%n",
				subscriptions, count, span, count / span, percentile(sorted, 50), percentile(sorted, 99), sorted[sorted.length - 1])
				+ (drained == 0 ? "" : String.format(Locale.ROOT, "Once the load stopped, the backlog of %d arrived in %.0f s: %.0f a second.%n",
						drained, drainSeconds, drained / drainSeconds));
	}

	private static long percentile(long[] sorted, double p) {
		return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1))];
	}

	@Override
	public void close() {
		server.stop(0);
	}
}
