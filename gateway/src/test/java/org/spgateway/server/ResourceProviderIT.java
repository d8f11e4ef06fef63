package org.spgateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.Errors;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/** create, read, vread, update (If-Match, update-as-create), history, conditional create and update, patch. */
class ResourceProviderIT {

	private static final String SYSTEM = "https://example.org/test-patient";

	static GatewayServer gateway;
	static IGenericClient client;
	static String base;

	@BeforeAll
	static void start() {
		gateway = SharedGateway.get();
		client = gateway.client();
		base = gateway.baseUrl();
	}

	private static Patient newPatient(String identifier) {
		Patient patient = Fixtures.resource(ResourceProviderIT.class, "patient-uk-core.json", Patient.class);
		patient.getIdentifier().clear();
		patient.addIdentifier().setSystem(SYSTEM).setValue(identifier);
		return patient;
	}

	private static Patient newPatient() {
		return newPatient(UUID.randomUUID().toString());
	}

	private static String create(Patient patient) {
		return client.create().resource(patient).execute().getId().getIdPart();
	}

	private static Patient read(String id) {
		return client.read().resource(Patient.class).withId(id).execute();
	}

	/** How many stored Patients carry this identifier (searching the store, not trusting a response). */
	private static int countWithIdentifier(String value) {
		Bundle found = client.search().byUrl("Patient?identifier=" + SYSTEM + "|" + value + "&_total=accurate").returnBundle(Bundle.class).execute();
		return found.getTotal();
	}

	@Test
	void createReadVreadUpdate() {
		MethodOutcome created = client.create().resource(newPatient()).execute();
		assertThat(created.getCreated()).isTrue();
		String id = created.getId().getIdPart();
		assertThat(created.getId().getVersionIdPart()).isEqualTo("1");

		Patient read = read(id);
		assertThat(read.getNameFirstRep().getFamily()).isEqualTo("Carter");
		assertThat(read.getMeta().getVersionId()).isEqualTo("1");
		assertThat(read.getMeta().getLastUpdated()).isNotNull();

		read.getNameFirstRep().setFamily("Carter-Jones");
		MethodOutcome updated = client.update().resource(read).execute();
		assertThat(updated.getId().getVersionIdPart()).isEqualTo("2");

		Patient v1 = client.read().resource(Patient.class).withIdAndVersion(id, "1").execute();
		assertThat(v1.getNameFirstRep().getFamily()).isEqualTo("Carter");
		Patient current = read(id);
		assertThat(current.getNameFirstRep().getFamily()).isEqualTo("Carter-Jones");
		assertThat(current.getMeta().getVersionId()).isEqualTo("2");
	}

	@Test
	void createAnswersWithLocationAndETag() {
		HttpResponse<String> response = Http.post(base + "/Patient", Http.json(newPatient()));
		assertThat(response.statusCode()).isEqualTo(201);
		String id = Http.parse(response, Patient.class).getIdElement().getIdPart();
		assertThat(response.headers().firstValue("Location").orElseThrow()).endsWith("/Patient/" + id + "/_history/1");
		assertThat(response.headers().firstValue("ETag").orElseThrow()).isEqualTo("W/\"1\"");
	}

	@Test
	void serverChoosesTheIdOfACreateWhateverTheBodySays() {
		Patient patient = newPatient();
		patient.setId("chosen-by-client");
		String id = create(patient);
		assertThat(id).isNotEqualTo("chosen-by-client");
		assertThat(read(id).getIdElement().getIdPart()).isEqualTo(id);
	}

	@Test
	void staleIfMatchIsRefusedAndChangesNothing() {
		String id = create(newPatient());
		Patient current = read(id);
		current.getNameFirstRep().setFamily("First");
		client.update().resource(current).withId(id).execute();

		Patient stale = current.copy();
		stale.setId(id);
		stale.getNameFirstRep().setFamily("Second");
		HttpResponse<String> response = Http.put(base + "/Patient/" + id, Http.json(stale), "If-Match", "W/\"1\"");

		OperationOutcome outcome = Errors.outcome(response, 412);
		assertThat(Errors.diagnostics(outcome.getIssue())).contains("current version is 2");
		Patient after = read(id);
		assertThat(after.getMeta().getVersionId()).isEqualTo("2");
		assertThat(after.getNameFirstRep().getFamily()).isEqualTo("First");
	}

	@Test
	void currentIfMatchUpdates() {
		String id = create(newPatient());
		Patient current = read(id);
		current.getNameFirstRep().setFamily("Matched");
		HttpResponse<String> response = Http.put(base + "/Patient/" + id, Http.json(current), "If-Match", "W/\"1\"");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("ETag").orElseThrow()).isEqualTo("W/\"2\"");
		assertThat(read(id).getNameFirstRep().getFamily()).isEqualTo("Matched");
	}

	@Test
	void ifMatchOnAResourceThatDoesNotExistIsNotFoundAndCreatesNothing() {
		String id = "never-" + UUID.randomUUID();
		Patient patient = newPatient();
		patient.setId(id);
		Errors.outcome(Http.put(base + "/Patient/" + id, Http.json(patient), "If-Match", "W/\"1\""), 404);
		Errors.outcome(Http.get(base + "/Patient/" + id), 404);
	}

	@Test
	void updateOfAnUnknownIdCreatesIt() {
		String id = "client-chosen-" + UUID.randomUUID();
		Patient patient = newPatient();
		patient.setId(id);
		HttpResponse<String> response = Http.put(base + "/Patient/" + id, Http.json(patient));
		assertThat(response.statusCode()).isEqualTo(201);
		assertThat(response.headers().firstValue("Location").orElseThrow()).isEqualTo(base + "/Patient/" + id + "/_history/1");
		Patient stored = read(id);
		assertThat(stored.getMeta().getVersionId()).isEqualTo("1");
		assertThat(stored.getIdentifierFirstRep().getValue()).isEqualTo(patient.getIdentifierFirstRep().getValue());
	}

	@Test
	void updateBodyMustCarryTheUrlsId() {
		String id = create(newPatient());
		Patient other = newPatient();
		other.setId("some-other-id");
		OperationOutcome mismatch = Errors.outcome(Http.put(base + "/Patient/" + id, Http.json(other)), 400);
		assertThat(Errors.expressions(mismatch.getIssue())).containsExactly("Patient.id");

		Patient noId = newPatient();
		OperationOutcome missing = Errors.outcome(Http.put(base + "/Patient/" + id, Http.json(noId)), 400);
		assertThat(Errors.diagnostics(missing.getIssue())).contains("must carry the resource id");
		assertThat(read(id).getMeta().getVersionId()).isEqualTo("1");
	}

	@Test
	void unknownIdsAndVersionsAreNotFound() {
		String id = create(newPatient());
		Errors.outcome(Http.get(base + "/Patient/" + UUID.randomUUID()), 404);
		Errors.outcome(Http.get(base + "/Patient/" + id + "/_history/2"), 404);
		Errors.outcome(Http.get(base + "/Patient/" + id + "/_history/x"), 404);
		Errors.outcome(Http.get(base + "/Patient/" + UUID.randomUUID() + "/_history"), 404);
		// An id of the right type but another resource type's space.
		Errors.outcome(Http.get(base + "/Observation/" + id), 404);
	}

	@Test
	void historyListsEveryVersionNewestFirstAndPagesThroughNextLinks() {
		String id = create(newPatient());
		for (int i = 2; i <= 5; i++) {
			Patient p = read(id);
			p.getNameFirstRep().setFamily("Version" + i);
			client.update().resource(p).execute();
		}
		List<String> versions = new ArrayList<>();
		List<String> methods = new ArrayList<>();
		String url = base + "/Patient/" + id + "/_history?_count=2";
		int pages = 0;
		while (url != null) {
			HttpResponse<String> response = Http.get(url);
			assertThat(response.statusCode()).isEqualTo(200);
			Bundle page = Http.parse(response, Bundle.class);
			assertThat(page.getType()).isEqualTo(Bundle.BundleType.HISTORY);
			assertThat(page.getEntry()).hasSizeLessThanOrEqualTo(2);
			for (Bundle.BundleEntryComponent entry : page.getEntry()) {
				versions.add(entry.getResource().getMeta().getVersionId());
				assertThat(entry.hasSearch()).as("history entries have no search mode (bdl-2)").isFalse();
				assertThat(entry.getRequest().getUrl()).startsWith("Patient/" + id);
				methods.add(entry.getRequest().getMethod() == null ? null : entry.getRequest().getMethod().toCode());
			}
			url = page.getLink("next") == null ? null : page.getLink("next").getUrl();
			pages++;
		}
		assertThat(pages).isEqualTo(3);
		assertThat(versions).containsExactly("5", "4", "3", "2", "1");
		// A history Bundle says how each version came about (bdl-3: entry.request is mandatory in history).
		assertThat(methods).containsExactly("PUT", "PUT", "PUT", "PUT", "POST");

		for (int v = 1; v <= 5; v++) {
			Patient version = client.read().resource(Patient.class).withIdAndVersion(id, Integer.toString(v)).execute();
			assertThat(version.getMeta().getVersionId()).isEqualTo(Integer.toString(v));
			assertThat(version.getNameFirstRep().getFamily()).isEqualTo(v == 1 ? "Carter" : "Version" + v);
		}
	}

	@Test
	void conditionalCreateCreatesWhenNothingMatchesAndReturnsTheMatchOtherwise() {
		String value = UUID.randomUUID().toString();
		String criteria = "identifier=" + SYSTEM + "|" + value;

		HttpResponse<String> first = Http.post(base + "/Patient", Http.json(newPatient(value)), "If-None-Exist", criteria);
		assertThat(first.statusCode()).isEqualTo(201);
		String id = Http.parse(first, Patient.class).getIdElement().getIdPart();

		Patient again = newPatient(value);
		again.getNameFirstRep().setFamily("Someone Else");
		HttpResponse<String> second = Http.post(base + "/Patient", Http.json(again), "If-None-Exist", criteria);
		assertThat(second.statusCode()).isEqualTo(200);
		Patient existing = Http.parse(second, Patient.class);
		assertThat(existing.getIdElement().getIdPart()).isEqualTo(id);
		assertThat(existing.getNameFirstRep().getFamily()).isEqualTo("Carter");

		assertThat(countWithIdentifier(value)).isEqualTo(1);
		assertThat(read(id).getMeta().getVersionId()).isEqualTo("1");
	}

	@Test
	void racingConditionalCreatesCreateOneResource() throws Exception {
		String value = UUID.randomUUID().toString();
		String body = Http.json(newPatient(value));
		List<Integer> statuses = concurrently(8, () -> Http.post(base + "/Patient", body, "If-None-Exist", "identifier=" + SYSTEM + "|" + value).statusCode());
		assertThat(statuses).containsOnly(200, 201);
		assertThat(statuses.stream().filter(s -> s == 201)).hasSize(1);
		assertThat(countWithIdentifier(value)).isEqualTo(1);
	}

	@Test
	void racingUpdatesWithTheSameIfMatchLetExactlyOneThrough() throws Exception {
		String id = create(newPatient());
		Patient current = read(id);
		List<Integer> statuses = concurrently(6, () -> {
			Patient mine = current.copy();
			mine.getNameFirstRep().setFamily("Writer-" + UUID.randomUUID());
			return Http.put(base + "/Patient/" + id, Http.json(mine), "If-Match", "W/\"1\"").statusCode();
		});
		assertThat(statuses).containsOnly(200, 412);
		assertThat(statuses.stream().filter(s -> s == 200)).hasSize(1);
		assertThat(read(id).getMeta().getVersionId()).isEqualTo("2");
	}

	@Test
	void racingUpdatesAndPatchesAllApplyOneAfterAnother() throws Exception {
		String id = create(newPatient());
		Patient current = read(id);
		List<Integer> updates = concurrently(6, () -> {
			Patient mine = current.copy();
			mine.getNameFirstRep().setFamily("Writer-" + UUID.randomUUID());
			return Http.put(base + "/Patient/" + id, Http.json(mine)).statusCode();
		});
		assertThat(updates).containsOnly(200);
		List<Integer> patches = concurrently(6, () -> Http.patch(base + "/Patient/" + id,
				"[{\"op\":\"replace\",\"path\":\"/name/0/given/0\",\"value\":\"" + UUID.randomUUID() + "\"}]", "application/json-patch+json")
				.statusCode());
		assertThat(patches).containsOnly(200);
		assertThat(read(id).getMeta().getVersionId()).isEqualTo("13");
	}

	@Test
	void racingUpdatesOfANewIdCreateItOnce() throws Exception {
		String id = "race-" + UUID.randomUUID();
		List<Integer> statuses = concurrently(6, () -> {
			Patient mine = newPatient();
			mine.setId(id);
			return Http.put(base + "/Patient/" + id, Http.json(mine)).statusCode();
		});
		assertThat(statuses).containsOnly(200, 201);
		assertThat(statuses.stream().filter(s -> s == 201)).hasSize(1);
		assertThat(read(id).getMeta().getVersionId()).isEqualTo("6");
	}

	/** Runs the same call on several threads released together, and returns each call's result. */
	private static <T> List<T> concurrently(int threads, java.util.concurrent.Callable<T> call) throws Exception {
		java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
		java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
		try {
			List<java.util.concurrent.Future<T>> futures = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				futures.add(pool.submit(() -> {
					start.await();
					return call.call();
				}));
			}
			start.countDown();
			List<T> results = new ArrayList<>();
			for (java.util.concurrent.Future<T> f : futures) {
				results.add(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
			}
			return results;
		} finally {
			pool.shutdownNow();
		}
	}

	@Test
	void conditionalCreateMatchingSeveralIsRefusedAndCreatesNothing() {
		String shared = UUID.randomUUID().toString();
		create(newPatient(shared));
		create(newPatient(shared));
		Patient third = newPatient(shared);
		third.getNameFirstRep().setFamily("Third");

		OperationOutcome outcome = Errors.outcome(
				Http.post(base + "/Patient", Http.json(third), "If-None-Exist", "identifier=" + SYSTEM + "|" + shared), 412);
		assertThat(Errors.diagnostics(outcome.getIssue())).contains("matches more than one Patient");
		assertThat(countWithIdentifier(shared)).isEqualTo(2);
	}

	@Test
	void conditionalCreateWithUnknownParameterIsABadRequest() {
		Errors.outcome(Http.post(base + "/Patient", Http.json(newPatient()), "If-None-Exist", "no-such-param=1"), 400);
	}

	@Test
	void conditionalUpdateUpdatesTheOneMatchOrCreates() {
		String value = UUID.randomUUID().toString();
		String url = base + "/Patient?identifier=" + SYSTEM + "|" + value;

		Patient patient = newPatient(value);
		HttpResponse<String> created = Http.put(url, Http.json(patient));
		assertThat(created.statusCode()).isEqualTo(201);
		String id = Http.parse(created, Patient.class).getIdElement().getIdPart();
		assertThat(created.headers().firstValue("Location").orElseThrow()).isEqualTo(base + "/Patient/" + id + "/_history/1");

		patient.setGender(AdministrativeGender.OTHER);
		HttpResponse<String> updated = Http.put(url, Http.json(patient));
		assertThat(updated.statusCode()).isEqualTo(200);
		assertThat(updated.headers().firstValue("Location")).as("only a create names a new resource").isEmpty();
		Patient stored = read(id);
		assertThat(stored.getMeta().getVersionId()).isEqualTo("2");
		assertThat(stored.getGender()).isEqualTo(AdministrativeGender.OTHER);
		assertThat(countWithIdentifier(value)).isEqualTo(1);
	}

	@Test
	void conditionalUpdateMatchingSeveralIsRefusedAndChangesNothing() {
		String shared = UUID.randomUUID().toString();
		String a = create(newPatient(shared));
		String b = create(newPatient(shared));
		Patient patient = newPatient(shared);
		patient.setGender(AdministrativeGender.OTHER);
		Errors.outcome(Http.put(base + "/Patient?identifier=" + SYSTEM + "|" + shared, Http.json(patient)), 412);
		assertThat(read(a).getMeta().getVersionId()).isEqualTo("1");
		assertThat(read(b).getMeta().getVersionId()).isEqualTo("1");
	}

	@Test
	void jsonPatchIsAppliedAsANewVersion() {
		String id = create(newPatient());
		HttpResponse<String> response = Http.patch(base + "/Patient/" + id,
				"[{\"op\":\"replace\",\"path\":\"/gender\",\"value\":\"male\"},{\"op\":\"add\",\"path\":\"/active\",\"value\":true}]",
				"application/json-patch+json");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("ETag")).contains("W/\"2\"");
		Patient patched = read(id);
		assertThat(patched.getMeta().getVersionId()).isEqualTo("2");
		assertThat(patched.getGender()).isEqualTo(AdministrativeGender.MALE);
		assertThat(patched.getActive()).isTrue();
		assertThat(patched.getNameFirstRep().getFamily()).isEqualTo("Carter");
	}

	@Test
	void jsonPatchThatMakesTheResourceInvalidIsRefusedAndStoresNothing() {
		String id = create(newPatient());
		// 9434765918: ten digits, but the Modulus 11 check digit should be 9.
		HttpResponse<String> response = Http.patch(base + "/Patient/" + id,
				"[{\"op\":\"add\",\"path\":\"/identifier/-\",\"value\":{\"system\":\"https://fhir.nhs.uk/Id/nhs-number\",\"value\":\"9434765918\"}}]",
				"application/json-patch+json");
		OperationOutcome outcome = Errors.outcome(response, 422);
		assertThat(Errors.diagnostics(Errors.errors(outcome))).contains("spp-1");
		assertThat(Errors.expressions(Errors.errors(outcome))).containsExactly("Patient.identifier[1]");
		Patient after = read(id);
		assertThat(after.getMeta().getVersionId()).isEqualTo("1");
		assertThat(after.getIdentifier()).hasSize(1);
	}

	@Test
	void jsonPatchWithAStaleIfMatchIsRefused() {
		String id = create(newPatient());
		Patient p = read(id);
		p.setGender(AdministrativeGender.FEMALE);
		client.update().resource(p).execute();
		HttpResponse<String> response = Http.patch(base + "/Patient/" + id, "[{\"op\":\"replace\",\"path\":\"/gender\",\"value\":\"male\"}]",
				"application/json-patch+json", "If-Match", "W/\"1\"");
		Errors.outcome(response, 412);
		Patient after = read(id);
		assertThat(after.getMeta().getVersionId()).isEqualTo("2");
		assertThat(after.getGender()).isEqualTo(AdministrativeGender.FEMALE);
	}

	@Test
	void fhirPathPatchIsAppliedAsANewVersion() {
		String id = create(newPatient());
		String patch = """
				{"resourceType":"Parameters","parameter":[
				  {"name":"operation","part":[
				    {"name":"type","valueCode":"replace"},
				    {"name":"path","valueString":"Patient.birthDate"},
				    {"name":"value","valueDate":"1970-01-02"}]},
				  {"name":"operation","part":[
				    {"name":"type","valueCode":"add"},
				    {"name":"path","valueString":"Patient"},
				    {"name":"name","valueString":"active"},
				    {"name":"value","valueBoolean":false}]}]}""";
		HttpResponse<String> response = Http.patch(base + "/Patient/" + id, patch, "application/fhir+json", "If-Match", "W/\"1\"");
		assertThat(response.statusCode()).isEqualTo(200);
		Patient patched = read(id);
		assertThat(patched.getMeta().getVersionId()).isEqualTo("2");
		assertThat(patched.getBirthDateElement().getValueAsString()).isEqualTo("1970-01-02");
		assertThat(patched.getActive()).isFalse();
	}

	@Test
	void fhirPathPatchThatMakesTheResourceInvalidIsRefusedAndStoresNothing() {
		String id = create(newPatient());
		String patch = """
				{"resourceType":"Parameters","parameter":[
				  {"name":"operation","part":[
				    {"name":"type","valueCode":"add"},
				    {"name":"path","valueString":"Patient"},
				    {"name":"name","valueString":"identifier"},
				    {"name":"value","valueIdentifier":{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"123"}}]}]}""";
		OperationOutcome outcome = Errors.outcome(Http.patch(base + "/Patient/" + id, patch, "application/fhir+json"), 422);
		assertThat(Errors.expressions(Errors.errors(outcome))).containsExactly("Patient.identifier[1]");
		assertThat(read(id).getMeta().getVersionId()).isEqualTo("1");
	}

	@Test
	void patchesThatCannotApplyOrCannotBeReadAreRefused() {
		String id = create(newPatient());
		// The path does not exist in the resource: understood, but cannot be applied.
		Errors.outcome(Http.patch(base + "/Patient/" + id, "[{\"op\":\"replace\",\"path\":\"/deceasedBoolean\",\"value\":true}]",
				"application/json-patch+json"), 422);
		// Not JSON, or JSON but not a JSON Patch document.
		OperationOutcome unreadable = Errors.outcome(Http.patch(base + "/Patient/" + id, "{\"op\":\"replace\"", "application/json-patch+json"), 400);
		assertThat(Errors.diagnostics(unreadable.getIssue())).contains("The JSON Patch could not be read").contains("line 1").doesNotContain("REDACTED");
		Errors.outcome(Http.patch(base + "/Patient/" + id, "{\"op\":\"replace\",\"path\":\"/gender\",\"value\":\"male\"}",
				"application/json-patch+json"), 400);
		// Unknown resource.
		Errors.outcome(Http.patch(base + "/Patient/" + UUID.randomUUID(), "[{\"op\":\"replace\",\"path\":\"/gender\",\"value\":\"male\"}]",
				"application/json-patch+json"), 404);
		assertThat(read(id).getMeta().getVersionId()).isEqualTo("1");
	}
}
