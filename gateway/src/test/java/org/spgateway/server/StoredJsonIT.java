package org.spgateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/**
 * Reads, searches and history pages answered from the stored JSON are exactly what HAPI writes when it parses and encodes
 * the resource itself: the same body and the same headers. HAPI's own path is the one a gzip-accepting caller gets.
 */
class StoredJsonIT {

	private static final List<String> HEADERS = List.of("content-type", "etag", "last-modified", "content-location");
	private static final HttpClient HTTP = HttpClient.newHttpClient();
	private static GatewayServer gateway;
	private static String base;
	private static String patient;
	private static String observation;

	@BeforeAll
	static void store() {
		gateway = SharedGateway.get();
		base = gateway.baseUrl();
		HttpResponse<String> created = Http.post(base + "/Patient", "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":"
				+ "\"https://fhir.nhs.uk/Id/nhs-number\",\"value\":\"" + nhsNumber() + "\"}],\"name\":[{\"family\":\"Stored\",\"given\":[\"Jo\"]}],"
				+ "\"birthDate\":\"1970-01-02\"}", "Content-Type", "application/fhir+json");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		patient = id(created);
		String body = "{\"resourceType\":\"Observation\",\"status\":\"%s\",\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\","
				+ "\"code\":\"718466001\"}],\"text\":\"Score \u00e9 \\\"quoted\\\" \u2713\"},\"subject\":{\"reference\":\"Patient/" + patient + "\"},"
				+ "\"valueInteger\":21}";
		created = Http.post(base + "/Observation", body.formatted("preliminary"), "Content-Type", "application/fhir+json");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		observation = id(created);
		HttpResponse<String> updated = Http.put(base + "/Observation/" + observation,
				body.formatted("final").replace("{\"resourceType\":\"Observation\",", "{\"resourceType\":\"Observation\",\"id\":\"" + observation + "\","),
				"Content-Type", "application/fhir+json");
		assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
	}

	@Test
	void aReadIsTheStoredJsonWithTheHeadersHapiGivesIt() throws Exception {
		sameAsHapi("/Observation/" + observation);
		sameAsHapi("/Patient/" + patient);
	}

	@Test
	void aVreadAndAHistoryPageAreWhatHapiWouldWrite() throws Exception {
		sameAsHapi("/Observation/" + observation + "/_history/1");
		sameAsHapi("/Observation/" + observation + "/_history");
		sameAsHapi("/Observation/" + observation + "/_history?_count=1");
	}

	@Test
	void aSearchWithAnIncludeIsTheBundleHapiWouldWrite() throws Exception {
		sameAsHapi("/Observation?_id=" + observation + "&_include=Observation:subject");
		sameAsHapi("/Observation?subject=Patient/" + patient + "&_total=accurate");
		sameAsHapi("/Observation?subject=Patient/" + patient + "&_count=1&_offset=0&_include=Observation:patient");
	}

	@Test
	void aConversionAskedForIsStillMade() {
		HttpResponse<String> elements = Http.get(base + "/Observation/" + observation + "?_elements=status");
		assertThat(elements.body()).contains("\"status\":\"final\"", "SUBSETTED").doesNotContain("valueInteger");
		HttpResponse<String> pretty = Http.get(base + "/Observation/" + observation + "?_pretty=true");
		assertThat(pretty.body()).contains("\n  \"resourceType\": \"Observation\"");
		HttpResponse<String> xml = Http.get(base + "/Observation/" + observation + "?_format=xml");
		assertThat(xml.body()).startsWith("<Observation xmlns=\"http://hl7.org/fhir\">");
	}

	@Test
	void aConditionalReadOfTheCurrentVersionIsNotModified() {
		HttpResponse<String> answer = Http.get(base + "/Observation/" + observation, "If-None-Match", "W/\"2\"");
		assertThat(answer.statusCode()).isEqualTo(304);
		assertThat(Http.get(base + "/Observation/" + observation, "If-None-Match", "W/\"1\"").statusCode()).isEqualTo(200);
	}

	/** The answer from the stored JSON against HAPI's own (gzip): the same body, apart from a Bundle's own id and time. */
	private static void sameAsHapi(String path) throws Exception {
		HttpResponse<byte[]> stored = get(path, false);
		HttpResponse<byte[]> hapi = get(path, true);
		assertThat(stored.statusCode()).isEqualTo(200);
		assertThat(hapi.statusCode()).isEqualTo(200);
		assertThat(hapi.headers().firstValue("content-encoding")).as("HAPI's path, gzipped").hasValue("gzip");
		// StoredJsonWriter knows the length before it writes; HAPI's encoder streams (chunked).
		assertThat(stored.headers().firstValue("content-length")).as("written from the stored JSON").isPresent();
		assertThat(withoutBundleStamp(new String(stored.body(), StandardCharsets.UTF_8)))
				.isEqualTo(withoutBundleStamp(new String(gunzip(hapi.body()), StandardCharsets.UTF_8)));
		for (String header : HEADERS) {
			String expected = hapi.headers().firstValue(header).orElse(null);
			if ("content-location".equals(header) && expected != null && expected.contains("/Bundle/")) {
				expected = expected.substring(0, expected.indexOf("/Bundle/") + 8);
				assertThat(stored.headers().firstValue(header).orElse("")).as(path + " " + header).startsWith(expected);
			} else if (!"last-modified".equals(header) || !path.contains("?") && !path.endsWith("_history")) {
				assertThat(stored.headers().firstValue(header).orElse(null)).as(path + " " + header).isEqualTo(expected);
			} else {
				assertThat(stored.headers().firstValue(header)).as(path + " " + header).isPresent();
			}
		}
	}

	private static HttpResponse<byte[]> get(String path, boolean gzip) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(Http.uri(base + path)).GET();
		String[] authorization = Http.defaultAuthorization(gateway.port());
		for (int i = 0; i < authorization.length; i += 2) {
			request.header(authorization[i], authorization[i + 1]);
		}
		if (gzip) {
			request.header("Accept-Encoding", "gzip");
		}
		return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
	}

	private static String withoutBundleStamp(String json) {
		return json.replaceFirst("^\\{\"resourceType\":\"Bundle\",\"id\":\"[^\"]+\",\"meta\":\\{\"lastUpdated\":\"[^\"]+\"}", "{\"resourceType\":\"Bundle\"");
	}

	private static byte[] gunzip(byte[] body) throws IOException {
		try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
			return in.readAllBytes();
		}
	}

	private static String id(HttpResponse<String> created) {
		String location = created.headers().firstValue("Location").orElseThrow();
		return location.replaceAll(".*/(Patient|Observation)/([^/]+)/_history/.*", "$2");
	}

	/** A valid NHS number no other test uses (Modulus 11 check digit). */
	private static String nhsNumber() {
		while (true) {
			String nine = Long.toString(400_000_000L + ThreadLocalRandom.current().nextLong(500_000_000L));
			int sum = 0;
			for (int i = 0; i < 9; i++) {
				sum += (nine.charAt(i) - '0') * (10 - i);
			}
			int check = 11 - sum % 11;
			if (check != 10) {
				return nine + (check == 11 ? 0 : check);
			}
		}
	}
}
