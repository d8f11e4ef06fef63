package org.spgateway.bulkimport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.NdjsonServer;

/** $import requests for tests: the kick-off's Parameters, the status URL, and waiting for the manifest. */
final class Imports {

	static final ObjectMapper JSON = new ObjectMapper();

	private Imports() {}

	/** The Parameters naming each file by its url on the file server, in the order given. */
	static String parameters(NdjsonServer files, Map<String, Path> byType) {
		StringBuilder inputs = new StringBuilder();
		for (Map.Entry<String, Path> e : byType.entrySet()) {
			inputs.append(",{\"name\":\"input\",\"part\":[{\"name\":\"type\",\"valueCode\":\"").append(e.getKey())
					.append("\"},{\"name\":\"url\",\"valueUri\":\"").append(files.url(e.getValue())).append("\"}]}");
		}
		return "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"inputFormat\",\"valueCode\":\"application/fhir+ndjson\"}"
				+ inputs + "]}";
	}

	static HttpResponse<String> kickOff(GatewayServer gateway, String token, String parameters) {
		return Http.post(gateway.baseUrl() + "/$import", parameters, "Content-Type", "application/fhir+json", "Prefer", "respond-async",
				"Authorization", "Bearer " + token);
	}

	/** Starts a job and returns its status URL. */
	static String start(GatewayServer gateway, String token, String parameters) {
		HttpResponse<String> answer = kickOff(gateway, token, parameters);
		if (answer.statusCode() != 202) {
			throw new AssertionError("$import answered " + answer.statusCode() + ": " + answer.body());
		}
		return answer.headers().firstValue("Content-Location").orElseThrow();
	}

	static HttpResponse<String> poll(String statusUrl, String token) {
		return Http.get(statusUrl, "Authorization", "Bearer " + token);
	}

	/** Polls until the job has finished (anything but 202) and returns that answer. */
	static HttpResponse<String> await(String statusUrl, String token, Duration limit) {
		long deadline = System.nanoTime() + limit.toNanos();
		while (System.nanoTime() < deadline) {
			HttpResponse<String> answer = poll(statusUrl, token);
			if (answer.statusCode() != 202) {
				return answer;
			}
			sleep(200);
		}
		throw new AssertionError("The import did not finish within " + limit);
	}

	static JsonNode json(String body) {
		try {
			return JSON.readTree(body);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Each line of an NDJSON answer, read. */
	static List<JsonNode> lines(String ndjson) {
		List<JsonNode> lines = new ArrayList<>();
		for (String line : ndjson.split("\n")) {
			if (!line.isBlank()) {
				lines.add(json(line));
			}
		}
		return lines;
	}

	/** How many resources of a type the query matches, as the given caller sees them. */
	static int count(GatewayServer gateway, String query, String token) {
		HttpResponse<String> answer = Http.get(gateway.baseUrl() + "/" + query + (query.contains("?") ? "&" : "?") + "_summary=count",
				"Authorization", "Bearer " + token);
		if (answer.statusCode() != 200) {
			throw new AssertionError(query + " answered " + answer.statusCode() + ": " + answer.body());
		}
		return json(answer.body()).path("total").asInt();
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new AssertionError(e);
		}
	}
}
