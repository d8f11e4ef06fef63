package org.spgateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceOperationComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceSearchParamComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.ResourceInteractionComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.SystemInteractionComponent;
import org.hl7.fhir.r4.model.OperationDefinition;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.Errors;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/**
 * The CapabilityStatement is honest: everything it declares works, and what it does not declare is
 * refused. The test reads /metadata and exercises each declared type, interaction, search parameter,
 * include, operation and profile.
 */
class CapabilityStatementIT {

	/** The types issue 2 asks the gateway to serve, plus HAPI's read-only OperationDefinition endpoint. */
	private static final Set<String> EXPECTED_TYPES = Set.of(
			"Patient", "Organization", "Practitioner", "PractitionerRole", "HealthcareService", "Endpoint", "ServiceRequest", "Task",
			"Condition", "Questionnaire", "QuestionnaireResponse", "Observation", "Communication", "Consent", "AuditEvent", "Provenance",
			"Subscription", "Flag", "Encounter", "CarePlan", "RelatedPerson", "Location", "MedicationStatement", "StructureDefinition", "CodeSystem", "ValueSet", "ConceptMap", "StructureMap", "SearchParameter",
			"ImplementationGuide", "NamingSystem", "OperationDefinition");
	private static final Set<String> WRITE_INTERACTIONS = Set.of("create", "update", "patch");
	/** A value each search parameter type accepts; matching nothing is fine, refusing it is not. */
	private static final Map<String, String> SAMPLE_VALUES = Map.of(
			"token", "http://example.org|x", "string", "x", "date", "ge2026-01-01", "reference", "Patient/x",
			"quantity", "gt5", "number", "5", "uri", "http://example.org/x");

	private static final String NONE_STORED = "none-stored";

	static GatewayServer gateway;
	static String base;
	static CapabilityStatement cs;
	static Map<String, Resource> samples = new HashMap<>();

	@BeforeAll
	static void fetch() {
		gateway = SharedGateway.get();
		base = gateway.baseUrl();
		HttpResponse<String> response = Http.get(base + "/metadata");
		assertThat(response.statusCode()).isEqualTo(200);
		cs = Http.parse(response, CapabilityStatement.class);
		Bundle one = Fixtures.resource(CapabilityStatementIT.class, "one-of-each-writable-type.json", Bundle.class);
		one.getEntry().forEach(e -> samples.put(e.getResource().fhirType(), e.getResource()));
		// Outcome capture takes a response only for a referral that exists: the sample response's referral.
		// ... for a Patient that exists (referral intake insists): Patient/example, which the samples refer to, as a person of its own.
		org.hl7.fhir.r4.model.Patient person = (org.hl7.fhir.r4.model.Patient) samples.get("Patient").copy();
		person.setId("example");
		person.getIdentifierFirstRep().setValue(org.spgateway.intake.TestNhsNumbers.next());
		HttpResponse<String> created = Http.put(base + "/Patient/example", Http.json(person));
		assertThat(created.statusCode()).as(created.body()).isIn(200, 201);
		org.hl7.fhir.r4.model.ServiceRequest referral = (org.hl7.fhir.r4.model.ServiceRequest) samples.get("ServiceRequest").copy();
		referral.setId("capability-check-referral");
		referral.setSubject(new org.hl7.fhir.r4.model.Reference("Patient/example"));
		// A referral of its own: the sample's identifier belongs to the sample, which is created later.
		referral.getIdentifierFirstRep().setValue("REF-capability-check");
		HttpResponse<String> put = Http.put(base + "/ServiceRequest/capability-check-referral", Http.json(referral));
		assertThat(put.statusCode()).as(put.body()).isIn(200, 201);
	}

	private static CapabilityStatementRestComponent rest() {
		assertThat(cs.getRest()).hasSize(1);
		return cs.getRest().get(0);
	}

	private static Set<String> interactions(CapabilityStatementRestResourceComponent resource) {
		return resource.getInteraction().stream().map(i -> i.getCode().toCode()).collect(Collectors.toCollection(TreeSet::new));
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	@Test
	void identifiesTheSoftwareAndItsFhirVersion() {
		assertThat(cs.getSoftware().getName()).isEqualTo("Social Prescribing FHIR Gateway");
		assertThat(cs.getSoftware().getVersion()).isNotBlank();
		assertThat(cs.getFhirVersion().toCode()).isEqualTo("4.0.1");
		assertThat(cs.getKind()).isEqualTo(CapabilityStatement.CapabilityStatementKind.INSTANCE);
		assertThat(cs.getFormat()).extracting(c -> c.getValue()).contains("application/fhir+json", "application/fhir+xml");
		assertThat(cs.getPatchFormat()).extracting(c -> c.getValue()).contains("application/json-patch+json", "application/fhir+json");
		assertThat(rest().getSecurity().getDescription()).isNotBlank();
	}

	@Test
	void servesExactlyTheExpectedResourceTypes() {
		assertThat(rest().getResource()).extracting(CapabilityStatementRestResourceComponent::getType)
				.containsExactlyInAnyOrderElementsOf(EXPECTED_TYPES);
	}

	@Test
	void declaresTransactionAndBatchAndTheyWork() {
		assertThat(rest().getInteraction()).extracting(SystemInteractionComponent::getCode).extracting(c -> c.toCode())
				.containsExactlyInAnyOrder("transaction", "batch");
		for (String type : List.of("transaction", "batch")) {
			String bundle = "{\"resourceType\":\"Bundle\",\"type\":\"" + type + "\",\"entry\":[{\"request\":{\"method\":\"GET\",\"url\":\"Patient?_count=1\"}}]}";
			HttpResponse<String> response = Http.post(base, bundle);
			assertThat(response.statusCode()).as(type + ": " + response.body()).isEqualTo(200);
		}
	}

	@Test
	void everyDeclaredInteractionWorks() {
		SoftAssertions softly = new SoftAssertions();
		for (CapabilityStatementRestResourceComponent resource : rest().getResource()) {
			String type = resource.getType();
			Set<String> declared = interactions(resource);
			if (type.equals("OperationDefinition")) {
				softly.assertThat(declared).containsExactly("read");
				continue;
			}
			String id;
			if (type.equals("Task")) {
				id = intakeTask(softly, declared);
			} else {
				id = declared.contains("create") ? createOne(softly, type) : anyStoredId(type);
			}
			boolean noneStored = id.equals(NONE_STORED);
			for (String interaction : declared) {
				HttpResponse<String> response = switch (interaction) {
					case "read" -> Http.get(base + "/" + type + "/" + id);
					case "vread" -> Http.get(base + "/" + type + "/" + id + "/_history/1");
					case "history-instance" -> Http.get(base + "/" + type + "/" + id + "/_history");
					case "search-type" -> Http.get(base + "/" + type + "?_count=1");
					case "create" -> null; // done above
					case "update" -> Http.put(base + "/" + type + "/" + id, Http.get(base + "/" + type + "/" + id).body());
					case "patch" -> Http.patch(base + "/" + type + "/" + id, "[{\"op\":\"add\",\"path\":\"/language\",\"value\":\"en\"}]",
							"application/json-patch+json");
					default -> {
						softly.fail("%s declares %s, which this test does not know how to exercise", type, interaction);
						yield null;
					}
				};
				if (response != null) {
					// A read-only type with nothing loaded answers reads of any id with the right not-found.
					int expected = noneStored && !interaction.equals("search-type") ? 404 : 200;
					softly.assertThat(response.statusCode()).as("%s %s: %s", type, interaction, response.body()).isEqualTo(expected);
				}
			}
			softly.assertThat(Http.get(base + "/" + type + "/does-not-exist").statusCode()).as("%s read of an unknown id", type).isEqualTo(404);
		}
		softly.assertAll();
	}

	private static String createOne(SoftAssertions softly, String type) {
		Resource sample = samples.get(type);
		assertThat(sample).as("a sample %s in one-of-each-writable-type.json", type).isNotNull();
		HttpResponse<String> created = Http.post(base + "/" + type, Http.json(sample));
		softly.assertThat(created.statusCode()).as("%s create: %s", type, created.body()).isEqualTo(201);
		return GatewayServer.fhirContext().newJsonParser().parseResource(created.body()).getIdElement().getIdPart();
	}

	/**
	 * Tasks are made by referral intake alone: a declared create answers 422 with an OperationOutcome
	 * saying so, and the other interactions are exercised on the Task intake made for this class's referral.
	 */
	private static String intakeTask(SoftAssertions softly, Set<String> declared) {
		if (declared.contains("create")) {
			HttpResponse<String> created = Http.post(base + "/Task", Http.json(samples.get("Task")));
			softly.assertThat(created.statusCode()).as("Task create: %s", created.body()).isEqualTo(422);
			OperationOutcome outcome = Http.parse(created, OperationOutcome.class);
			softly.assertThat(Errors.diagnostics(Errors.errors(outcome))).as("Task create").contains("Tasks are created by the gateway only");
			softly.assertThat(Errors.expressions(Errors.errors(outcome))).as("Task create").containsExactly("Task");
			Errors.assertNoInternals(created.body());
		}
		Bundle tasks = Http.parse(Http.get(base + "/Task?focus=ServiceRequest/capability-check-referral"), Bundle.class);
		assertThat(tasks.getEntry()).as("the Task intake made for ServiceRequest/capability-check-referral").hasSize(1);
		return tasks.getEntryFirstRep().getResource().getIdElement().getIdPart();
	}

	private static String anyStoredId(String type) {
		Bundle any = Http.parse(Http.get(base + "/" + type + "?_count=1"), Bundle.class);
		if (any.getEntry().isEmpty()) {
			return NONE_STORED;
		}
		return any.getEntryFirstRep().getResource().getIdElement().getIdPart();
	}

	@Test
	void interactionsThatAreNotDeclaredAreRefused() {
		SoftAssertions softly = new SoftAssertions();
		for (CapabilityStatementRestResourceComponent resource : rest().getResource()) {
			String type = resource.getType();
			if (type.equals("OperationDefinition")) {
				continue;
			}
			Set<String> declared = interactions(resource);
			String id = anyStoredId(type);
			List<HttpResponse<String>> refused = new ArrayList<>();
			refused.add(Http.delete(base + "/" + type + "/" + id));
			refused.add(Http.get(base + "/" + type + "/_history"));
			if (!declared.contains("create")) {
				refused.add(Http.post(base + "/" + type, "{\"resourceType\":\"" + type + "\"}"));
			}
			if (!declared.contains("update")) {
				refused.add(Http.put(base + "/" + type + "/" + id, "{\"resourceType\":\"" + type + "\",\"id\":\"" + id + "\"}"));
			}
			if (!declared.contains("patch")) {
				refused.add(Http.patch(base + "/" + type + "/" + id, "[{\"op\":\"add\",\"path\":\"/language\",\"value\":\"en\"}]",
						"application/json-patch+json"));
			}
			for (HttpResponse<String> response : refused) {
				softly.assertThat(response.statusCode()).as("%s %s: %s", response.request().method(), response.request().uri(), response.body())
						.isEqualTo(405);
				Errors.assertNoInternals(response.body());
				softly.assertThat(response.body()).contains("OperationOutcome");
			}
		}
		softly.assertThat(Http.get(base + "/_history").statusCode()).as("system history").isIn(400, 405);
		softly.assertAll();
	}

	@Test
	void everyDeclaredSearchParameterIsAccepted() {
		SoftAssertions softly = new SoftAssertions();
		int checked = 0;
		for (CapabilityStatementRestResourceComponent resource : rest().getResource()) {
			for (CapabilityStatementRestResourceSearchParamComponent param : resource.getSearchParam()) {
				String value = SAMPLE_VALUES.get(param.getType().toCode());
				softly.assertThat(value).as("%s.%s has type %s", resource.getType(), param.getName(), param.getType().toCode()).isNotNull();
				if (value == null) {
					continue;
				}
				HttpResponse<String> response = Http.get(base + "/" + resource.getType() + "?" + param.getName() + "=" + encode(value) + "&_count=1");
				softly.assertThat(response.statusCode()).as("%s?%s=%s: %s", resource.getType(), param.getName(), value, response.body())
						.isEqualTo(200);
				checked++;
			}
			if (!resource.getSearchParam().isEmpty()) {
				HttpResponse<String> undeclared = Http.get(base + "/" + resource.getType() + "?not-a-declared-parameter=x");
				softly.assertThat(undeclared.statusCode()).as("%s with an undeclared parameter", resource.getType()).isEqualTo(400);
			}
		}
		assertThat(checked).isGreaterThan(300);
		softly.assertAll();
	}

	@Test
	void everyDeclaredIncludeAndRevIncludeIsAccepted() {
		SoftAssertions softly = new SoftAssertions();
		for (CapabilityStatementRestResourceComponent resource : rest().getResource()) {
			for (StringType include : resource.getSearchInclude()) {
				HttpResponse<String> response = Http.get(base + "/" + resource.getType() + "?_count=1&_include=" + encode(include.getValue()));
				softly.assertThat(response.statusCode()).as("%s _include=%s: %s", resource.getType(), include.getValue(), response.body()).isEqualTo(200);
			}
			for (StringType revInclude : resource.getSearchRevInclude()) {
				HttpResponse<String> response = Http.get(base + "/" + resource.getType() + "?_count=1&_revinclude=" + encode(revInclude.getValue()));
				softly.assertThat(response.statusCode()).as("%s _revinclude=%s: %s", resource.getType(), revInclude.getValue(), response.body())
						.isEqualTo(200);
			}
		}
		softly.assertAll();
	}

	@Test
	void everyDeclaredOperationWorksAndIsDefined() {
		SoftAssertions softly = new SoftAssertions();
		Set<String> definitions = new TreeSet<>();
		for (CapabilityStatementRestResourceComponent resource : rest().getResource()) {
			for (CapabilityStatementRestResourceOperationComponent operation : resource.getOperation()) {
				definitions.add(operation.getDefinition());
				String type = resource.getType();
				if (!operation.getName().equals("validate")) {
					// An operation this test has no input for: it must at least be bound (not refused as unknown),
					// and answer an unknown instance with the right not-found rather than fail.
					// Type-level operations (OperationDefinition.instance false, e.g. $reviews-due) are called on the type.
					HttpResponse<String> defined = Http.get(gateway.onThisServer(operation.getDefinition()));
					boolean instance = defined.statusCode() != 200 || Http.parse(defined, OperationDefinition.class).getInstance();
					HttpResponse<String> response = Http.post(base + "/" + type + (instance ? "/does-not-exist" : "") + "/$" + operation.getName(),
							"{\"resourceType\":\"Parameters\"}");
					softly.assertThat(response.statusCode()).as("%s $%s: %s", type, operation.getName(), response.body()).isIn(200, 400, 404, 422);
					softly.assertThat(response.body()).as("%s $%s", type, operation.getName()).doesNotContain("does not know how to handle");
					Errors.assertNoInternals(response.body());
					if (type.equals("Task") && operation.getName().equals("overdue")) {
						checkOverdue(softly);
					}
					continue;
				}
				Resource sample = samples.get(type);
				String stored = anyStoredId(type);
				HttpResponse<String> response;
				if (sample != null) {
					response = Http.post(base + "/" + type + "/$validate", Http.json(sample));
				} else if (!stored.equals(NONE_STORED)) {
					response = Http.get(base + "/" + type + "/" + stored + "/$validate");
				} else {
					// Nothing of this type is loaded: the operation must still answer, here with the issues of an empty resource.
					response = Http.post(base + "/" + type + "/$validate", "{\"resourceType\":\"" + type + "\"}");
				}
				softly.assertThat(response.statusCode()).as("%s $validate: %s", type, response.body()).isEqualTo(200);
				Errors.assertNoInternals(response.body());
				if (sample != null && response.statusCode() == 200) {
					OperationOutcome outcome = Http.parse(response, OperationOutcome.class);
					softly.assertThat(Errors.errors(outcome)).as("%s $validate of a valid resource", type).isEmpty();
				}
			}
		}
		assertThat(definitions).isNotEmpty();
		for (String definition : definitions) {
			HttpResponse<String> response = Http.get(gateway.onThisServer(definition));
			softly.assertThat(response.statusCode()).as("OperationDefinition %s", definition).isEqualTo(200);
		}
		softly.assertAll();
	}

	/** Task/$overdue needs no input: asked with none, it answers every provider's overdue work as a Parameters. */
	private static void checkOverdue(SoftAssertions softly) {
		HttpResponse<String> response = Http.get(base + "/Task/$overdue");
		softly.assertThat(response.statusCode()).as("GET Task/$overdue: %s", response.body()).isEqualTo(200);
		if (response.statusCode() == 200) {
			Parameters answer = Http.parse(response, Parameters.class);
			softly.assertThat(answer.getParameter("asOf")).as("Task/$overdue asOf").isNotNull();
			softly.assertThat(answer.getParameter("total")).as("Task/$overdue total").isNotNull();
		}
	}

	@Test
	void everyDeclaredProfileIsServed() {
		SoftAssertions softly = new SoftAssertions();
		Set<String> profiles = new TreeSet<>();
		for (CapabilityStatementRestResourceComponent resource : rest().getResource()) {
			resource.getSupportedProfile().stream().map(CanonicalType::getValue).forEach(profiles::add);
			if (resource.getProfile() != null && resource.getProfile().startsWith("https://spgateway.org/")) {
				profiles.add(resource.getProfile());
				softly.assertThat(resource.getSupportedProfile()).extracting(CanonicalType::getValue)
						.as("%s's required profile is also a supported one", resource.getType()).contains(resource.getProfile());
			}
		}
		assertThat(profiles).contains("https://spgateway.org/fhir/StructureDefinition/sp-patient",
				"https://spgateway.org/fhir/StructureDefinition/sp-referral", "https://spgateway.org/fhir/StructureDefinition/sp-referral-task");
		for (String url : profiles) {
			Bundle found = Http.parse(Http.get(base + "/StructureDefinition?url=" + encode(url)), Bundle.class);
			softly.assertThat(found.getEntry()).as("StructureDefinition?url=%s", url).hasSize(1);
			if (found.getEntry().size() == 1) {
				String id = found.getEntryFirstRep().getResource().getIdElement().getIdPart();
				softly.assertThat(Http.get(base + "/StructureDefinition/" + id).statusCode()).isEqualTo(200);
			}
		}
		for (CanonicalType guide : cs.getImplementationGuide()) {
			Bundle found = Http.parse(Http.get(base + "/ImplementationGuide?url=" + encode(guide.getValue())), Bundle.class);
			softly.assertThat(found.getEntry()).as("ImplementationGuide %s", guide.getValue()).hasSize(1);
		}
		softly.assertAll();
	}

	@Test
	void writableTypesDeclareVersionedUpdateAndConditionals() {
		for (CapabilityStatementRestResourceComponent resource : rest().getResource()) {
			if (interactions(resource).containsAll(WRITE_INTERACTIONS)) {
				assertThat(resource.getVersioning()).as(resource.getType()).isEqualTo(CapabilityStatement.ResourceVersionPolicy.VERSIONEDUPDATE);
				assertThat(resource.getConditionalCreate()).as(resource.getType()).isTrue();
				assertThat(resource.getConditionalUpdate()).as(resource.getType()).isTrue();
				assertThat(resource.getUpdateCreate()).as(resource.getType()).isTrue();
			}
		}
		List<String> interactionsOfReadOnly = rest().getResource().stream().filter(r -> r.getType().equals("StructureDefinition"))
				.flatMap(r -> r.getInteraction().stream()).map(ResourceInteractionComponent::getCode).map(c -> c.toCode()).toList();
		assertThat(interactionsOfReadOnly).doesNotContainAnyElementsOf(WRITE_INTERACTIONS);
	}
}
