package org.spgateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.Errors;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/** JSON by default, XML on request, _pretty, _summary, _elements, and Prefer: return=... on writes. */
class ResponseFormatIT {

	private static final String SYSTEM = "https://example.org/format-test";

	static GatewayServer gateway;
	static String base;

	@BeforeAll
	static void start() {
		gateway = SharedGateway.get();
		base = gateway.baseUrl();
	}

	/** A UK Core-shaped Patient (its UK Core extensions and profile raise warnings, never errors). */
	private static Patient newPatient(String identifier) {
		Patient patient = Fixtures.resource(ResourceProviderIT.class, "patient-uk-core.json", Patient.class);
		patient.getIdentifier().clear();
		patient.addIdentifier().setSystem(SYSTEM).setValue(identifier);
		return patient;
	}

	private static String create(String identifier) {
		HttpResponse<String> response = Http.post(base + "/Patient", Http.json(newPatient(identifier)));
		assertThat(response.statusCode()).isEqualTo(201);
		return Http.parse(response, Patient.class).getIdElement().getIdPart();
	}

	@Test
	void jsonByDefaultXmlOnRequest() {
		String id = create(UUID.randomUUID().toString());

		HttpResponse<String> json = Http.get(base + "/Patient/" + id);
		assertThat(json.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/fhir+json");
		assertThat(json.body()).startsWith("{\"resourceType\":\"Patient\"");

		HttpResponse<String> byAccept = Http.get(base + "/Patient/" + id, "Accept", "application/fhir+xml");
		assertThat(byAccept.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/fhir+xml");
		Patient fromXml = GatewayServer.fhirContext().newXmlParser().parseResource(Patient.class, byAccept.body());
		assertThat(fromXml.getIdElement().getIdPart()).isEqualTo(id);
		assertThat(fromXml.getNameFirstRep().getFamily()).isEqualTo("Carter");

		HttpResponse<String> byFormat = Http.get(base + "/Patient/" + id + "?_format=xml");
		assertThat(byFormat.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/fhir+xml");
		assertThat(byFormat.body()).startsWith("<Patient xmlns=\"http://hl7.org/fhir\">");

		// _format wins over Accept.
		HttpResponse<String> formatOverAccept = Http.get(base + "/Patient/" + id + "?_format=json", "Accept", "application/fhir+xml");
		assertThat(formatOverAccept.body()).startsWith("{");
	}

	@Test
	void xmlRequestBodiesAreAccepted() {
		String value = UUID.randomUUID().toString();
		String xml = GatewayServer.fhirContext().newXmlParser().encodeResourceToString(newPatient(value));
		HttpResponse<String> response = Http.post(base + "/Patient", xml, "Content-Type", "application/fhir+xml", "Accept", "application/fhir+xml");
		assertThat(response.statusCode()).isEqualTo(201);
		Patient created = GatewayServer.fhirContext().newXmlParser().parseResource(Patient.class, response.body());
		Patient stored = Http.parse(Http.get(base + "/Patient/" + created.getIdElement().getIdPart()), Patient.class);
		assertThat(stored.getIdentifierFirstRep().getValue()).isEqualTo(value);
		assertThat(stored.getCommunicationFirstRep().getLanguage().getCodingFirstRep().getCode()).isEqualTo("en");
	}

	@Test
	void prettyPrintsOnRequest() {
		String id = create(UUID.randomUUID().toString());
		assertThat(Http.get(base + "/Patient/" + id).body()).doesNotContain("\n");
		assertThat(Http.get(base + "/Patient/" + id + "?_pretty=true").body()).contains("\n  \"resourceType\": \"Patient\"");
		assertThat(Http.get(base + "/Patient/" + id + "?_format=xml&_pretty=true").body()).contains("\n   <id value=\"" + id + "\"/>");
	}

	@Test
	void summaryLeavesOutNonSummaryElementsAndSaysSo() {
		String id = create(UUID.randomUUID().toString());
		Patient summary = Http.parse(Http.get(base + "/Patient/" + id + "?_summary=true"), Patient.class);
		assertThat(summary.getName()).isNotEmpty();
		assertThat(summary.getIdentifier()).isNotEmpty();
		// communication and generalPractitioner are not summary elements of Patient.
		assertThat(summary.getCommunication()).isEmpty();
		assertThat(summary.getGeneralPractitioner()).isEmpty();
		assertThat(summary.getMeta().getTag()).anyMatch(t -> "SUBSETTED".equals(t.getCode()));

		Patient full = Http.parse(Http.get(base + "/Patient/" + id), Patient.class);
		assertThat(full.getCommunication()).isNotEmpty();
		assertThat(full.getMeta().getTag()).isEmpty();
	}

	@Test
	void summaryCountGivesOnlyTheTotal() {
		String value = UUID.randomUUID().toString();
		create(value);
		create(value);
		Bundle count = Http.parse(Http.get(base + "/Patient?identifier=" + SYSTEM + "|" + value + "&_summary=count"), Bundle.class);
		assertThat(count.getTotal()).isEqualTo(2);
		assertThat(count.getEntry()).isEmpty();
	}

	@Test
	void elementsKeepsOnlyTheNamedElements() {
		String value = UUID.randomUUID().toString();
		String id = create(value);
		Patient read = Http.parse(Http.get(base + "/Patient/" + id + "?_elements=identifier,gender"), Patient.class);
		assertThat(read.getIdentifierFirstRep().getValue()).isEqualTo(value);
		assertThat(read.getGender()).isNotNull();
		assertThat(read.getName()).isEmpty();
		assertThat(read.getAddress()).isEmpty();

		Bundle searched = Http.parse(Http.get(base + "/Patient?identifier=" + SYSTEM + "|" + value + "&_elements=name"), Bundle.class);
		Patient entry = (Patient) searched.getEntryFirstRep().getResource();
		assertThat(entry.getName()).isNotEmpty();
		assertThat(entry.getIdentifier()).isEmpty();
	}

	@Test
	void preferReturnMinimalAnswersWithHeadersOnly() {
		HttpResponse<String> response = Http.post(base + "/Patient", Http.json(newPatient(UUID.randomUUID().toString())),
				"Prefer", "return=minimal");
		assertThat(response.statusCode()).isEqualTo(201);
		assertThat(response.body()).isEmpty();
		String location = response.headers().firstValue("Location").orElseThrow();
		assertThat(location).contains("/Patient/").endsWith("/_history/1");
		String id = location.replaceAll(".*/Patient/([^/]+)/_history/1$", "$1");
		assertThat(Http.get(base + "/Patient/" + id).statusCode()).isEqualTo(200);
	}

	@Test
	void preferReturnRepresentationAnswersWithTheStoredResource() {
		HttpResponse<String> response = Http.post(base + "/Patient", Http.json(newPatient(UUID.randomUUID().toString())),
				"Prefer", "return=representation");
		assertThat(response.statusCode()).isEqualTo(201);
		Patient stored = Http.parse(response, Patient.class);
		assertThat(stored.getMeta().getVersionId()).isEqualTo("1");
		assertThat(stored.getIdElement().getIdPart()).isNotBlank();
	}

	@Test
	void preferReturnOperationOutcomeShowsTheValidationWarnings() {
		HttpResponse<String> created = Http.post(base + "/Patient", Http.json(newPatient(UUID.randomUUID().toString())),
				"Prefer", "return=OperationOutcome");
		assertThat(created.statusCode()).isEqualTo(201);
		Errors.assertNoInternals(created.body());
		OperationOutcome outcome = Http.parse(created, OperationOutcome.class);
		assertThat(Errors.errors(outcome)).isEmpty();
		assertThat(Errors.diagnostics(Errors.warnings(outcome)))
				.contains("https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory")
				.contains("https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient");
		assertThat(Errors.expressions(Errors.warnings(outcome))).contains("Patient.extension[0]", "Patient.meta.profile[0]");

		// The same on update and on patch.
		String location = created.headers().firstValue("Location").orElseThrow();
		String id = location.replaceAll(".*/Patient/([^/]+)/_history/1$", "$1");
		Patient current = Http.parse(Http.get(base + "/Patient/" + id), Patient.class);
		HttpResponse<String> updated = Http.put(base + "/Patient/" + id, Http.json(current), "Prefer", "return=OperationOutcome");
		assertThat(updated.statusCode()).isEqualTo(200);
		assertThat(Errors.expressions(Errors.warnings(Http.parse(updated, OperationOutcome.class)))).contains("Patient.extension[0]");
		HttpResponse<String> patched = Http.patch(base + "/Patient/" + id, "[{\"op\":\"replace\",\"path\":\"/gender\",\"value\":\"male\"}]",
				"application/json-patch+json", "Prefer", "return=OperationOutcome");
		assertThat(patched.statusCode()).isEqualTo(200);
		assertThat(Errors.expressions(Errors.warnings(Http.parse(patched, OperationOutcome.class)))).contains("Patient.extension[0]");
	}

	@Test
	void errorsComeInTheFormatAskedFor() {
		HttpResponse<String> xml = Http.get(base + "/Patient/" + UUID.randomUUID(), "Accept", "application/fhir+xml");
		OperationOutcome outcome = Errors.outcome(xml, 404);
		assertThat(xml.body()).startsWith("<OperationOutcome");
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("is not known");
	}
}
