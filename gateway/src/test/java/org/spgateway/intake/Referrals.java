package org.spgateway.intake;

import ca.uhn.fhir.context.FhirContext;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;

/** Referral request bodies for tests: fixtures with ${PLACEHOLDERS} filled in, valid NHS numbers, and lookups of what was stored. */
final class Referrals {

	static final FhirContext FHIR = GatewayServer.fhirContext();

	private Referrals() {}

	/** A random NHS number with a valid Modulus 11 check digit (in the 999 test range). */
	static String nhsNumber() {
		while (true) {
			String nine = "999" + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
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

	/** An NHS number whose check digit is wrong. */
	static String badNhsNumber() {
		String good = nhsNumber();
		int last = good.charAt(9) - '0';
		return good.substring(0, 9) + ((last + 1) % 10);
	}

	static String referralId() {
		return "REF-" + UUID.randomUUID();
	}

	/** A fixture next to this class with each ${KEY} replaced. */
	static String fill(String fixture, Map<String, String> values) {
		String text = Fixtures.text(Referrals.class, fixture);
		for (Map.Entry<String, String> e : values.entrySet()) {
			text = text.replace("${" + e.getKey() + "}", e.getValue());
		}
		if (text.contains("${")) {
			throw new IllegalArgumentException("Unfilled placeholder in " + fixture + ": " + text.substring(text.indexOf("${"), text.indexOf("${") + 20));
		}
		return text;
	}

	/** The values of one test referral; tests change what they need. */
	static final class Values {
		String nhs = nhsNumber();
		String ref = referralId();
		String birth = "1968-04-12";
		String practice = "A99902";
		String condition = "44054006";
		String conditionDisplay = "Type 2 diabetes mellitus";

		Map<String, String> map() {
			Map<String, String> m = new HashMap<>();
			m.put("NHS", nhs);
			m.put("REF", ref);
			m.put("BIRTH", birth);
			m.put("PRACTICE", practice);
			m.put("CONDITION", condition);
			m.put("CONDITION_DISPLAY", conditionDisplay);
			return m;
		}

		/** The transaction Bundle: Patient (conditional on NHS number), Condition, ServiceRequest. */
		Bundle transaction() {
			return FHIR.newJsonParser().parseResource(Bundle.class, fill("transaction-referral.json", map()));
		}
	}

	static ServiceRequest referralIn(Bundle transaction) {
		return (ServiceRequest) transaction.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(r -> r instanceof ServiceRequest)
				.findFirst().orElseThrow();
	}

	static String json(Resource resource) {
		return FHIR.newJsonParser().encodeResourceToString(resource);
	}

	static HttpResponse<String> post(GatewayServer gateway, Bundle transaction) {
		return Http.post(gateway.baseUrl(), json(transaction), "Prefer", "return=OperationOutcome");
	}

	static OperationOutcome outcome(HttpResponse<String> response) {
		return Http.parse(response, OperationOutcome.class);
	}

	/** The location (Type/id) a transaction-response entry names. */
	static String location(HttpResponse<String> response, int entry) {
		return Http.parse(response, Bundle.class).getEntry().get(entry).getResponse().getLocation().replaceAll("/_history/.*", "");
	}

	static <T extends Resource> List<T> search(GatewayServer gateway, String query, Class<T> type) {
		HttpResponse<String> response = Http.get(gateway.baseUrl() + "/" + query.replace("|", "%7C"));
		if (response.statusCode() != 200) {
			throw new AssertionError("GET " + query + " answered " + response.statusCode() + ": " + response.body());
		}
		Bundle bundle = Http.parse(response, Bundle.class);
		return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance).map(type::cast).toList();
	}

	static <T extends Resource> T read(GatewayServer gateway, String location, Class<T> type) {
		HttpResponse<String> response = Http.get(gateway.baseUrl() + "/" + location);
		if (response.statusCode() != 200) {
			throw new AssertionError("GET " + location + " answered " + response.statusCode() + ": " + response.body());
		}
		return Http.parse(response, type);
	}

	static Task taskFor(GatewayServer gateway, String referral) {
		List<Task> tasks = search(gateway, "Task?focus=" + referral, Task.class);
		if (tasks.size() != 1) {
			throw new AssertionError("Expected one Task for " + referral + ", found " + tasks.size());
		}
		return tasks.get(0);
	}

	/** Every diagnostics text of an OperationOutcome, joined, for assertions. */
	static String diagnostics(OperationOutcome outcome) {
		return String.join("\n", outcome.getIssue().stream().map(OperationOutcome.OperationOutcomeIssueComponent::getDiagnostics).toList());
	}
}
