package org.spgateway.testsupport;

import ca.uhn.fhir.context.FhirContext;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * A provider's caseload as NDJSON files, one per resource type, as a CRM exporting it would write them: a referral as
 * the gateway holds it (Patient, Condition, ServiceRequest, the provider's Task, the Provenance of who sent it, a
 * Wellbeing Star QuestionnaireResponse and its eight Observations), captured once from a running gateway and copied
 * with new ids, NHS numbers and referral identifiers. Used by the bulk import tests and the scale benchmark.
 */
public final class Caseload {

	/** How a caseload reaches the gateway it copies from: a request with the caller's own authorisation. */
	public interface Client {
		HttpResponse<String> send(String method, String path, String body, String... headers);
	}

	/** The resource types of one referral, in the order a caseload's files are listed. */
	public static final List<String> TYPES = List.of("Patient", "Condition", "ServiceRequest", "Task", "Provenance", "QuestionnaireResponse",
			"Observation");

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	/** One captured resource: its type, its id on the gateway it came from, its JSON without meta. */
	private record Captured(String type, String id, String json) {}

	private final List<Captured> referral;
	private final String nhs;
	private final String identifier;

	private Caseload(List<Captured> referral, String nhs, String identifier) {
		this.referral = referral;
		this.nhs = nhs;
		this.identifier = identifier;
	}

	/** Sends one referral and one outcome to the gateway and keeps what it stored, as the template of every copy. */
	public static Caseload capture(Client client, String nhs, String identifier) {
		String transaction = text("docs/examples/benchmark/transaction-referral.template.json").replace("${NHS}", nhs).replace("${REF}", identifier);
		HttpResponse<String> stored = expect(client.send("POST", "", transaction, "Content-Type", "application/fhir+json"), 200);
		Bundle answer = FHIR.newJsonParser().parseResource(Bundle.class, stored.body());
		Map<String, String> ids = new LinkedHashMap<>();
		for (Bundle.BundleEntryComponent entry : answer.getEntry()) {
			String[] location = entry.getResponse().getLocation().split("/");
			ids.put(location[0], location[1]);
		}
		String patient = ids.get("Patient");
		String serviceRequest = ids.get("ServiceRequest");
		String response = text("docs/examples/benchmark/questionnaire-response.template.json").replace("${PATIENT}", patient)
				.replace("${REFERRAL}", serviceRequest);
		expect(client.send("POST", "/QuestionnaireResponse", response, "Content-Type", "application/fhir+json"), 201);
		List<Captured> captured = new ArrayList<>();
		captured.addAll(search(client, "/Patient?_id=" + patient));
		captured.addAll(search(client, "/Condition?_id=" + ids.get("Condition")));
		captured.addAll(search(client, "/ServiceRequest?_id=" + serviceRequest));
		captured.addAll(search(client, "/Task?focus=ServiceRequest/" + serviceRequest));
		captured.addAll(search(client, "/ServiceRequest?_id=" + serviceRequest + "&_revinclude=Provenance:target").stream()
				.filter(c -> c.type().equals("Provenance")).toList());
		captured.addAll(search(client, "/QuestionnaireResponse?subject=Patient/" + patient));
		captured.addAll(search(client, "/Observation?subject=Patient/" + patient + "&_count=50"));
		for (String type : TYPES) {
			if (captured.stream().noneMatch(c -> c.type().equals(type))) {
				throw new IllegalStateException("The captured referral has no " + type);
			}
		}
		return new Caseload(captured, nhs, identifier);
	}

	/** Resources per referral. */
	public int resourcesPerReferral() {
		return referral.size();
	}

	/**
	 * Writes referrals {@code from} (inclusive) to {@code to} (exclusive) into one NDJSON file per type under {@code dir},
	 * each with ids {@code prefix-n-k}, NHS number {@code nhs.apply(n)} and referral identifier {@code prefix-n}; returns
	 * the files by type.
	 */
	public Map<String, Path> write(Path dir, String prefix, int from, int to, IntFunction<String> nhsNumber) {
		Map<String, BufferedWriter> writers = new LinkedHashMap<>();
		Map<String, Path> files = new LinkedHashMap<>();
		try {
			Files.createDirectories(dir);
			for (String type : TYPES) {
				Path file = dir.resolve(type + ".ndjson");
				files.put(type, file);
				writers.put(type, Files.newBufferedWriter(file, StandardCharsets.UTF_8));
			}
			for (int n = from; n < to; n++) {
				for (Captured c : referral) {
					String json = c.json();
					for (int k = 0; k < referral.size(); k++) {
						json = json.replace(referral.get(k).id(), prefix + "-" + n + "-" + k);
					}
					json = json.replace(nhs, nhsNumber.apply(n)).replace(identifier, prefix + "-" + n);
					BufferedWriter out = writers.get(c.type());
					out.write(json);
					out.write('\n');
				}
			}
			for (BufferedWriter w : writers.values()) {
				w.close();
			}
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return files;
	}

	/** The id referral {@code n}'s resource of a type gets (the first of that type). */
	public String idOf(String prefix, int n, String type) {
		for (int k = 0; k < referral.size(); k++) {
			if (referral.get(k).type().equals(type)) {
				return prefix + "-" + n + "-" + k;
			}
		}
		throw new IllegalArgumentException("No " + type + " in the caseload");
	}

	/** A valid NHS number (Modulus 11) from a number: the candidates after {@code 10 * n} until one has a valid check digit. */
	public static String nhsNumber(long base, long n) {
		for (long candidate = n * 2; ; candidate++) {
			String nine = String.format("%09d", 100_000_000L + Math.floorMod(base + candidate, 800_000_000L));
			int sum = 0;
			for (int i = 0; i < 9; i++) {
				sum += (nine.charAt(i) - '0') * (10 - i);
			}
			int check = 11 - (sum % 11);
			if (check == 11) {
				check = 0;
			}
			if (check != 10) {
				return nine + check;
			}
		}
	}

	private static List<Captured> search(Client client, String query) {
		Bundle bundle = FHIR.newJsonParser().parseResource(Bundle.class, expect(client.send("GET", query, null), 200).body());
		List<Captured> found = new ArrayList<>();
		for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
			Resource resource = entry.getResource();
			resource.setMeta(null);
			found.add(new Captured(resource.fhirType(), resource.getIdElement().getIdPart(), FHIR.newJsonParser().encodeResourceToString(resource)));
		}
		return found;
	}

	private static HttpResponse<String> expect(HttpResponse<String> response, int status) {
		if (response.statusCode() != status) {
			throw new IllegalStateException("Expected " + status + " but got " + response.statusCode() + ": " + response.body());
		}
		return response;
	}

	private static String text(String path) {
		Path file = Path.of(path);
		if (!Files.exists(file)) {
			file = Path.of("..").resolve(path);
		}
		try (InputStream in = Files.newInputStream(file)) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		} catch (IOException e) {
			throw new UncheckedIOException("Run from the repository root (or gateway/): " + e.getMessage(), e);
		}
	}
}
