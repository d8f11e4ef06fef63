package org.spgateway.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Type;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;

/**
 * Task/$overdue and the plain-search equivalent, on a gateway of its own whose thresholds are a second,
 * and whose general service must answer within about a second (0.02 min), so that work becomes overdue while the test waits.
 */
class OverdueWorkIT {

	static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = GatewayServer.start("gateway.sandbox=true", "gateway.workflow.contact-within=1s", "gateway.workflow.onward-outcome-within=1s",
				"gateway.directory.refresh-interval=100ms");
		HealthcareService general = Http.parse(Http.get(gateway.baseUrl() + "/HealthcareService/dos-9000002"), HealthcareService.class);
		Extension response = general.getExtensionByUrl("https://spgateway.org/fhir/StructureDefinition/sp-response-time");
		// FHIR's Duration, not java.time's.
		response.setValue(new org.hl7.fhir.r4.model.Duration().setValue(0.02).setUnit("min").setSystem("http://unitsofmeasure.org").setCode("min"));
		HttpResponse<String> put = Http.put(gateway.baseUrl() + "/HealthcareService/dos-9000002",
				GatewayServer.fhirContext().newJsonParser().encodeResourceToString(general));
		assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
	}

	@AfterAll
	static void stop() {
		gateway.stop();
	}

	@Test
	void unansweredUncontactedAndOnwardWorkIsListedOldestFirstForTheProvider() {
		Journey unanswered = Journey.referredByRest(gateway);
		Journey uncontacted = Journey.referredByRest(gateway);
		uncontacted.step(uncontacted.task(), "accept.json");
		Journey contacted = Journey.referredByRest(gateway);
		String parent = contacted.task();
		contacted.step(parent, "accept.json");
		contacted.step(parent, "contacted.json");
		contacted.values.put("ONWARD_REF", "ONW-" + UUID.randomUUID());
		String onward = contacted.create("ServiceRequest", "onward-referral.json");
		String onwardTask = contacted.taskOf("ServiceRequest/" + onward);

		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
			List<String> rows = rows(overdue("owner=X99901&_count=500"));
			assertThat(rows).contains("response-overdue Task/" + unanswered.task(), "contact-overdue Task/" + uncontacted.task(),
					"onward-outcome-overdue Task/" + onwardTask);
			assertThat(rows).doesNotContain("contact-overdue Task/" + parent, "response-overdue Task/" + parent);
		});

		// An onward outcome recorded for the community group takes the onward referral off the list.
		contacted.step(onwardTask, "onward-accepted.json", "NHSD-End-User-Organisation", Journey.PROVIDER);
		contacted.step(onwardTask, "onward-attended.json", "NHSD-End-User-Organisation", Journey.PROVIDER);
		assertThat(rows(overdue("owner=X99901&_count=500"))).doesNotContain("onward-outcome-overdue Task/" + onwardTask);

		Parameters page = overdue("owner=https://fhir.nhs.uk/Id/ods-organization-code%7CX99901&_count=1");
		assertThat(((IntegerType) page.getParameter("total").getValue()).getValue()).isGreaterThanOrEqualTo(3);
		assertThat(page.getParameter().stream().filter(p -> p.getName().equals("overdue"))).hasSize(1);
		assertThat(rows(overdue("owner=A99901"))).isEmpty();
	}

	@Test
	void eachRowSaysWhatIsOverdueAndSinceWhen() {
		Journey unanswered = Journey.referredByRest(gateway);
		String task = unanswered.task();
		Instant due = unanswered.read("Task/" + task, Task.class).getRestriction().getPeriod().getEnd().toInstant();
		await().atMost(Duration.ofSeconds(30)).until(() -> rows(overdue("_count=500")).contains("response-overdue Task/" + task));
		Parameters.ParametersParameterComponent row = overdue("_count=500").getParameter().stream().filter(p -> p.getName().equals("overdue"))
				.filter(p -> ((Reference) part(p, "task")).getReference().equals("Task/" + task)).findFirst().orElseThrow();
		assertThat(((Reference) part(row, "referral")).getReference()).isEqualTo("ServiceRequest/" + unanswered.referral);
		assertThat(((Reference) part(row, "patient")).getReference()).isEqualTo("Patient/" + unanswered.patient);
		assertThat(part(row, "since").primitiveValue()).startsWith(due.truncatedTo(ChronoUnit.SECONDS).toString().substring(0, 16));
		assertThat(part(row, "description").primitiveValue()).contains("response deadline has passed");
	}

	@Test
	void unansweredReferralsAreFoundWithPlainSearchToo() {
		Journey unanswered = Journey.referredByRest(gateway);
		Journey accepted = Journey.referredByRest(gateway);
		accepted.step(accepted.task(), "accept.json");
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
			List<String> found = unanswered.search("Task?status=requested&response-due=lt" + now + "&_count=500", Task.class).stream()
					.map(t -> t.getIdElement().getIdPart()).toList();
			assertThat(found).contains(unanswered.task()).doesNotContain(accepted.task());
		});
	}

	@Test
	void outcomeReviewsDueAreListedWithTheirInstrument() {
		Journey j = Journey.referredByRest(gateway);
		j.step(j.task(), "accept.json");
		String old = Journey.example("wellbeing-star-baseline.json").replace("2026-12-01T10:00:00+00:00", "2025-03-03T10:00:00+00:00");
		HttpResponse<String> created = Http.post(gateway.baseUrl() + "/QuestionnaireResponse", Journey.fill(old, j.values));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		List<String> rows = rows(overdue("owner=X99901&_count=500"));
		assertThat(rows).contains("review-due Task/" + j.task());
	}

	@Test
	void aNegativeCountIs400() {
		HttpResponse<String> response = Http.get(gateway.baseUrl() + "/Task/$overdue?_count=-1");
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("OperationOutcome");
	}

	static Parameters overdue(String query) {
		HttpResponse<String> response = Http.get(gateway.baseUrl() + "/Task/$overdue?" + query.replace("|", "%7C"));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Http.parse(response, Parameters.class);
	}

	static List<String> rows(Parameters result) {
		return result.getParameter().stream().filter(p -> p.getName().equals("overdue"))
				.map(p -> part(p, "kind").primitiveValue() + " " + ((Reference) part(p, "task")).getReference()).toList();
	}

	static Type part(Parameters.ParametersParameterComponent row, String name) {
		return row.getPart().stream().filter(p -> p.getName().equals(name)).findFirst().orElseThrow().getValue();
	}
}
