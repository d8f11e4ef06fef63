package org.spgateway.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.spgateway.intake.TestNhsNumbers;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;

/**
 * One referral's way through a gateway, driven only through the API: referred by REST or BaRS, then
 * worked with the JSON Patch bodies documented in docs/examples/lifecycle (so the documented examples
 * are exactly what the tests send).
 */
public final class Journey {

	static final Path EXAMPLES = Path.of("..", "docs", "examples", "lifecycle");
	public static final String PROVIDER = b64("{\"resourceType\":\"Organization\",\"identifier\":[{\"system\":\"https://fhir.nhs.uk/Id/ods-organization-code\","
			+ "\"value\":\"X99901\"}],\"name\":\"Northside Wellbeing Partnership\"}");

	final GatewayServer gateway;
	public final Map<String, String> values = new HashMap<>();
	public String referral;
	public String patient;
	/** The X-Correlation-Id the referral was sent with. */
	public String correlation;

	private Journey(GatewayServer gateway) {
		this.gateway = gateway;
	}

	/** A new referral sent by REST: the Patient first, then the ServiceRequest naming it. */
	public static Journey referredByRest(GatewayServer gateway) {
		return referredByRest(gateway, "A99901");
	}

	/** As {@link #referredByRest(GatewayServer)}, from another practice (ODS code). */
	public static Journey referredByRest(GatewayServer gateway, String practice) {
		Journey j = new Journey(gateway);
		HttpResponse<String> patient = Http.post(gateway.baseUrl() + "/Patient", fill(Fixtures.text(Journey.class, "patient.json"),
				Map.of("NHS", TestNhsNumbers.next())));
		assertThat(patient.statusCode()).as(patient.body()).isIn(200, 201);
		j.patient = idOf(patient);
		j.correlation = UUID.randomUUID().toString();
		HttpResponse<String> referral = Http.post(gateway.baseUrl() + "/ServiceRequest", fill(Fixtures.text(Journey.class, "referral.json"),
				Map.of("PATIENT", j.patient, "REF", "REF-" + UUID.randomUUID(), "PRACTICE", practice)), "X-Correlation-Id", j.correlation);
		assertThat(referral.statusCode()).as(referral.body()).isEqualTo(201);
		j.referral = idOf(referral);
		return j.remember();
	}

	/** A new referral sent as a BaRS message to $process-message. */
	public static Journey referredByBars(GatewayServer gateway) {
		Map<String, String> v = new HashMap<>(Map.of("BUNDLE_ID", UUID.randomUUID().toString(), "REASON", "new", "STATUS", "active",
				"REF", "REF-" + UUID.randomUUID(), "NHS", TestNhsNumbers.next(), "BIRTH", "1961-03-09", "NOTE", "Finding it hard to get out.",
				"CONSENT_STATUS", "active", "CONSENT_TYPE", "permit"));
		v.put("SDS", "5" + (100000000L + ThreadLocalRandom.current().nextLong(899999999L)));
		for (String u : List.of("HEADER", "SR", "PATIENT", "ORG", "ROLE", "PRACTITIONER", "ENCOUNTER", "CONDITION", "FLAG", "CONSENT", "QR")) {
			v.put("UUID_" + u, UUID.randomUUID().toString());
		}
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/$process-message", fill(Fixtures.text(Journey.class, "bars-referral.json"), v),
				"X-Request-Id", UUID.randomUUID().toString(), "X-Correlation-Id", UUID.randomUUID().toString(),
				"NHSD-Target-Identifier", b64("{\"system\":\"https://fhir.nhs.uk/Id/dos-service-id\",\"value\":\"9000001\"}"),
				"NHSD-End-User-Organisation", b64("{\"resourceType\":\"Organization\",\"identifier\":[{\"system\":"
						+ "\"https://fhir.nhs.uk/Id/ods-organization-code\",\"value\":\"A99902\"}],\"name\":\"Hilltop Medical Practice\"}"),
				"NHSD-Requesting-Software", b64("{\"resourceType\":\"Device\",\"deviceName\":[{\"name\":\"Example GP System\","
						+ "\"type\":\"manufacturer-name\"}],\"version\":[{\"value\":\"4.2.1\"}]}"),
				"Accept", "application/fhir+json; version=1.1.0");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Journey j = new Journey(gateway);
		List<ServiceRequest> referrals = j.search("ServiceRequest?identifier=" + v.get("REF"), ServiceRequest.class);
		assertThat(referrals).hasSize(1);
		j.referral = referrals.get(0).getIdElement().getIdPart();
		j.patient = referrals.get(0).getSubject().getReference().replace("Patient/", "");
		return j.remember();
	}

	private Journey remember() {
		values.put("REFERRAL", referral);
		values.put("PATIENT", patient);
		return this;
	}

	public String task() {
		return taskOf("ServiceRequest/" + referral);
	}

	public String taskOf(String serviceRequest) {
		List<Task> tasks = search("Task?focus=" + serviceRequest, Task.class);
		assertThat(tasks).as("Tasks for " + serviceRequest).hasSize(1);
		return tasks.get(0).getIdElement().getIdPart();
	}

	/** Applies a documented JSON Patch to a Task; returns the answer, whatever its status. */
	public HttpResponse<String> patch(String taskId, String example, String... headers) {
		return Http.patch(gateway.baseUrl() + "/Task/" + taskId, fill(example(example), values), "application/json-patch+json", headers);
	}

	/** As {@link #patch}, which must succeed; returns the stored Task. */
	public Task step(String taskId, String example, String... headers) {
		HttpResponse<String> response = patch(taskId, example, headers);
		assertThat(response.statusCode()).as(example + ": " + response.body()).isEqualTo(200);
		return read("Task/" + taskId, Task.class);
	}

	/** POSTs a documented resource (placeholders filled); returns the new id. */
	public String create(String type, String example) {
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/" + type, fill(example(example), values));
		assertThat(response.statusCode()).as(example + ": " + response.body()).isEqualTo(201);
		return idOf(response);
	}

	public <T extends Resource> T read(String location, Class<T> type) {
		HttpResponse<String> response = Http.get(gateway.baseUrl() + "/" + location);
		assertThat(response.statusCode()).as(location + ": " + response.body()).isEqualTo(200);
		return Http.parse(response, type);
	}

	public <T extends Resource> List<T> search(String query, Class<T> type) {
		HttpResponse<String> response = Http.get(gateway.baseUrl() + "/" + query.replace("|", "%7C"));
		assertThat(response.statusCode()).as(query + ": " + response.body()).isEqualTo(200);
		return Http.parse(response, Bundle.class).getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance)
				.map(type::cast).toList();
	}

	/** Every version of a Task, oldest first. */
	public List<Task> history(String taskId) {
		List<Task> versions = new ArrayList<>(search("Task/" + taskId + "/_history?_count=100", Task.class));
		versions.sort((a, b) -> Integer.compare(Integer.parseInt(a.getMeta().getVersionId()), Integer.parseInt(b.getMeta().getVersionId())));
		return versions;
	}

	public static String example(String name) {
		try {
			return Files.readString(EXAMPLES.resolve(name), StandardCharsets.UTF_8);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	public static String fill(String text, Map<String, String> values) {
		for (Map.Entry<String, String> e : values.entrySet()) {
			text = text.replace("${" + e.getKey() + "}", e.getValue());
		}
		assertThat(text).as("placeholders left").doesNotContain("${");
		return text;
	}

	static String idOf(HttpResponse<String> response) {
		String location = response.headers().firstValue("Location").orElseThrow();
		String path = location.substring(location.indexOf("/fhir/") + 6);
		return path.split("/")[1];
	}

	public static String b64(String json) {
		return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
	}
}
