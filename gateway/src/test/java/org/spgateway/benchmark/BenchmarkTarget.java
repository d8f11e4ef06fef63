package org.spgateway.benchmark;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;

/** The gateway under test: its base URL and an HTTP client shared by all benchmark threads. */
final class BenchmarkTarget {

	final String baseUrl;
	final HttpClient http;

	BenchmarkTarget(String baseUrl, int threads) {
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
		return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60)).header("Accept", "application/fhir+json");
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
		return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).header("Accept", "application/json").GET().build()).body();
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
