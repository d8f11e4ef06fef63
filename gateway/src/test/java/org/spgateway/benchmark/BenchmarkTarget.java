package org.spgateway.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.Executors;

/**
 * The gateway under test: its base URL, an HTTP client shared by all benchmark threads, and the access token every
 * request carries: a sandbox client's, from the gateway's token endpoint (client_secret_basic), fetched again before
 * it runs out. Authentication's cost is part of every figure.
 */
final class BenchmarkTarget {

	/** Fetch a new token this long before the current one expires. */
	private static final Duration TOKEN_MARGIN = Duration.ofMinutes(5);

	final String baseUrl;
	final HttpClient http;
	private final String client;
	private final String secret;
	private String token;
	private Instant tokenExpires = Instant.MIN;

	BenchmarkTarget(String baseUrl, int threads) {
		this(baseUrl, threads, "demo-tester", "demo-tester-secret");
	}

	BenchmarkTarget(String baseUrl, int threads, String client, String secret) {
		this.client = client;
		this.secret = secret;
		this.baseUrl = baseUrl.replaceAll("/+$", "");
		this.http = HttpClient.newBuilder()
				.version(HttpClient.Version.HTTP_1_1)
				.connectTimeout(Duration.ofSeconds(10))
				// Daemon threads: the client cannot be closed on Java 17, and exec:java waits for every other thread to end.
				.executor(Executors.newFixedThreadPool(Math.max(4, threads), r -> {
					Thread t = new Thread(r, "benchmark-http");
					t.setDaemon(true);
					return t;
				}))
				.build();
	}

	HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60)).header("Accept", "application/fhir+json")
				.header("Authorization", "Bearer " + token());
	}

	/** The current access token, fetched from {@code <server>/oauth2/token} when there is none or it is about to expire. */
	synchronized String token() {
		if (token != null && Instant.now().isBefore(tokenExpires.minus(TOKEN_MARGIN))) {
			return token;
		}
		String basic = Base64.getEncoder().encodeToString((client + ":" + secret).getBytes(StandardCharsets.UTF_8));
		HttpRequest fetch = HttpRequest.newBuilder(URI.create(baseUrl.replaceAll("/fhir$", "") + "/oauth2/token"))
				.timeout(Duration.ofSeconds(30)).header("Authorization", "Basic " + basic)
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build();
		try {
			HttpResponse<String> answer = http.send(fetch, HttpResponse.BodyHandlers.ofString());
			if (answer.statusCode() != 200) {
				throw new IllegalStateException("The token endpoint refused " + client + ": " + answer.statusCode() + " " + answer.body());
			}
			JsonNode json = new ObjectMapper().readTree(answer.body());
			token = json.get("access_token").asText();
			tokenExpires = Instant.now().plusSeconds(json.get("expires_in").asLong());
			return token;
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	HttpRequest post(String path, String body) {
		return request(path).header("Content-Type", "application/fhir+json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
	}

	HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
		return http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	/** Sends and insists on success: for set-up steps. */
	String sendOk(HttpRequest request) throws IOException, InterruptedException {
		HttpResponse<String> response = send(request);
		if (response.statusCode() >= 300) {
			throw new IllegalStateException(request.method() + " " + request.uri() + " answered " + response.statusCode() + ": " + response.body());
		}
		return response.body();
	}

	/** GET of one of the gateway's actuator endpoints (e.g. /actuator/health), which answer plain JSON, not FHIR. */
	String actuator(String path) throws IOException, InterruptedException {
		URI uri = URI.create(baseUrl.replaceAll("/fhir$", "") + path);
		return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).header("Accept", "application/json")
				.header("Authorization", "Bearer " + token()).GET().build()).body();
	}

	/** The id from a Location header (.../Type/id/_history/n). */
	static String idFromLocation(HttpResponse<String> response) {
		String location = response.headers().firstValue("Location").orElseThrow();
		String[] parts = location.split("/");
		for (int i = 0; i < parts.length - 1; i++) {
			if (parts[i + 1].equals("_history")) {
				return parts[i];
			}
		}
		return parts[parts.length - 1];
	}
}
