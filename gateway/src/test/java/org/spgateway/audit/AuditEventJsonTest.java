package org.spgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.ValidationResult;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.AuditEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.security.Caller;
import org.spgateway.security.OrganisationId;
import org.spgateway.security.Role;

/**
 * Golden tests of the direct JSON writer: for the same inputs it must give exactly the event the model-based path it replaced
 * gave (HAPI's model built by {@link ModelAuditEvents}, composed, linked and sealed by {@link AuditChain}), so the same hash,
 * the same stored JSON and the same search keys, and that JSON must be a valid R4 AuditEvent.
 */
class AuditEventJsonTest {

	static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	static final String PREVIOUS = "9f".repeat(32);
	static final String LAST_UPDATED = "2026-12-05T06:00:00.123+00:00";
	static final AuditEvents EVENTS = new AuditEvents("gw-test");
	static final ModelAuditEvents MODEL = new ModelAuditEvents("gw-test");
	static final ObjectMapper JSON = new ObjectMapper();
	static FhirContext context;
	static IParser strict;

	@BeforeAll
	static void hapiAsTheGatewayConfiguresIt() {
		context = FhirContext.forR4();
		context.getParserOptions().setStripVersionsFromReferences(false);
		strict = context.newJsonParser().setParserErrorHandler(new StrictErrorHandler());
	}

	/** The same event made both ways. */
	record Pair(String name, AuditEventJson.Event direct, AuditEvent model) {}

	@Test
	void everyKindOfEventHasTheHashAndStoredJsonTheModelBasedPathGaveIt() throws Exception {
		for (Pair pair : kinds()) {
			String id = "a1b2c3d4-0000-4000-8000-00000000000" + pair.name().length() % 10;
			AuditEventJson.Sealed direct = AuditEventJson.seal(pair.direct(), id, 42, PREVIOUS, LAST_UPDATED);

			AuditEvent model = pair.model();
			model.setId(id);
			ModelAuditChain.link(model, 42, PREVIOUS);
			AuditChain.Sealed old = ModelAuditChain.seal(model, PREVIOUS, AuditJson.encode(model));
			String oldStored = old.stored("1", LAST_UPDATED);

			assertThat(direct.hash()).as(pair.name()).isEqualTo(old.hash());
			assertThat(JSON.readTree(stored(direct))).as(pair.name()).isEqualTo(JSON.readTree(oldStored));
			assertThat(AuditChain.canonical(stored(direct))).as(pair.name()).isEqualTo(AuditChain.canonical(oldStored));
		}
	}

	@Test
	void theStoredJsonVerifiesAsTheVerifierReadsIt() {
		for (Pair pair : kinds()) {
			AuditEventJson.Sealed sealed = AuditEventJson.seal(pair.direct(), "e-1", 7, PREVIOUS, LAST_UPDATED);
			assertThat(AuditChain.hash(PREVIOUS, AuditChain.canonical(stored(sealed)))).as(pair.name()).isEqualTo(sealed.hash());
			assertThat(AuditChain.linkOf(stored(sealed))).isEqualTo(new AuditChain.Link(new BigDecimal(7), PREVIOUS, sealed.hash()));
		}
	}

	@Test
	void theWritersColumnsAreTheColumnsOfTheEventsKeys() {
		for (Pair pair : kinds()) {
			AuditSearchKeys.Columns direct = AuditSearchKeys.columnsOf(pair.direct());
			AuditSearchKeys.Columns fromKeys = AuditSearchKeys.columns(AuditSearchKeys.of(pair.direct()));
			assertThat(direct.keyHashes()).as(pair.name()).containsExactly(fromKeys.keyHashes());
			assertThat(direct.codeHashes()).as(pair.name()).containsExactly(fromKeys.codeHashes());
			assertThat(direct.names()).as(pair.name()).containsExactly(fromKeys.names());
		}
	}

	@Test
	void aLoneSurrogateFromTheRequestIsStoredAsJavaEncodesItAndStillVerifies() {
		RequestAudit odd = new RequestAudit(Instant.parse("2026-12-04T23:00:00Z"), null, null, null, null, "GET", "/", null);
		odd.outcomeDescription = "half a pair \uD83D here";
		AuditEventJson.Sealed sealed = AuditEventJson.seal(EVENTS.rest(odd, 400, List.of()), "e-4", 8, PREVIOUS, LAST_UPDATED);
		assertThat(strict.parseResource(AuditEvent.class, stored(sealed)).getOutcomeDesc()).isEqualTo("HTTP 400: half a pair ? here");
		assertThat(AuditChain.hash(PREVIOUS, AuditChain.canonical(stored(sealed)))).isEqualTo(sealed.hash());
		assertThat(AuditChain.linkOf(stored(sealed))).isEqualTo(new AuditChain.Link(new BigDecimal(8), PREVIOUS, sealed.hash()));
	}

	@Test
	void aWritesEventChainedFromItsPendingJsonGetsTheHashItWouldHaveHadFromTheQueue() {
		for (Pair pair : kinds()) {
			String pending = AuditEventJson.unchained(pair.direct(), "e-2");
			AuditChain.Sealed fromPending = AuditChain.seal(pending, 9, PREVIOUS);
			assertThat(fromPending.hash()).as(pair.name()).isEqualTo(AuditEventJson.seal(pair.direct(), "e-2", 9, PREVIOUS, LAST_UPDATED).hash());
		}
	}

	@Test
	void theKeysWrittenBesideAnEventAreTheKeysItsStoredJsonHas() {
		for (Pair pair : kinds()) {
			String stored = stored(AuditEventJson.seal(pair.direct(), "e-3", 1, PREVIOUS, LAST_UPDATED));
			AuditEvent parsed = strict.parseResource(AuditEvent.class, stored);
			assertThat(Set.of(AuditSearchKeys.of(pair.direct()))).as(pair.name()).isEqualTo(Set.of(AuditSearchKeys.of(parsed)));
		}
	}

	@Test
	void theStoredJsonIsAValidR4AuditEvent() {
		FhirValidator validator = context.newValidator();
		validator.registerValidatorModule(new FhirInstanceValidator(new ValidationSupportChain(context.getValidationSupport())));
		for (Pair pair : kinds()) {
			String stored = stored(AuditEventJson.seal(pair.direct(), "0f3c1f0e-5d5a-4a47-9d39-2f5ad9b3c001", 3, PREVIOUS, LAST_UPDATED));
			AuditEvent parsed = strict.parseResource(AuditEvent.class, stored);
			assertThat(parsed.getMeta().getVersionId()).isEqualTo("1");
			ValidationResult result = validator.validateWithResult(stored);
			List<String> errors = new ArrayList<>();
			result.getMessages().stream().filter(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
					.forEach(m -> errors.add(m.getLocationString() + ": " + m.getMessage()));
			assertThat(errors).as(pair.name()).isEmpty();
		}
	}

	/** A sealed event's stored JSON as text. */
	private static String stored(AuditEventJson.Sealed sealed) {
		return new String(sealed.utf8(), StandardCharsets.UTF_8);
	}

	static List<Pair> kinds() {
		List<Pair> pairs = new ArrayList<>();
		RequestAudit create = request("POST", "/Observation", null, "https://gateway.example.org/fhir");
		create.interaction = "create";
		create.resourceType = "Observation";
		create.caller = new Caller("demo-gp", Role.REFERRER, List.of(new OrganisationId(ODS, "A99901")), Set.of("system/*.cruds"), false);
		List<RequestAudit.Touched> created = List.of(new RequestAudit.Touched("Observation/o1/_history/1", "Patient/p1"));
		pairs.add(new Pair("create", EVENTS.rest(create, 201, created), MODEL.rest(create, 201, created)));

		RequestAudit refused = request("POST", "/Patient", null, "10.0.0.5:8080");
		refused.outcomeDescription = "the access token has expired";
		pairs.add(new Pair("refused", EVENTS.rest(refused, 401, List.of()), MODEL.rest(refused, 401, List.of())));

		RequestAudit search = request("GET", "/Patient", "family=Okafor&_count=5", null);
		search.interaction = "search-type";
		search.resourceType = "Patient";
		String directory = "https://spgateway.org/fhir/Id/directory-organization";
		search.caller = new Caller("demo-community", Role.COMMUNITY,
				List.of(new OrganisationId(directory, "VCS-0001"), new OrganisationId(directory, "VCS-0002")), Set.of(), false);
		search.patient("Patient/p9");
		pairs.add(new Pair("search", EVENTS.rest(search, 200, List.of()), MODEL.rest(search, 200, List.of())));

		RequestAudit breakGlass = request("GET", "/Patient/p1/_history/3", null, "https://gateway.example.org/fhir");
		breakGlass.interaction = "vread";
		breakGlass.resourceType = "Patient";
		breakGlass.resourceId = "p1";
		breakGlass.versionId = "3";
		breakGlass.caller = new Caller("demo-admin", Role.ADMINISTRATOR, List.of(), Set.of(), true);
		pairs.add(new Pair("break-glass", EVENTS.rest(breakGlass, 200, List.of()), MODEL.rest(breakGlass, 200, List.of())));

		RequestAudit operation = request("POST", "/Task/t1/$cancel", null, "https://gateway.example.org/fhir");
		operation.interaction = "operation";
		operation.operation = "$cancel";
		operation.resourceType = "Task";
		operation.resourceId = "t1";
		operation.caller = new Caller("demo-provider", Role.PROVIDER, List.of(new OrganisationId(ODS, "X99901")), Set.of(), false);
		List<RequestAudit.Touched> updated = List.of(new RequestAudit.Touched("Task/t1/_history/4", "Patient/p1"),
				new RequestAudit.Touched("Provenance/v1/_history/1", null));
		pairs.add(new Pair("operation", EVENTS.rest(operation, 500, updated), MODEL.rest(operation, 500, updated)));

		RequestAudit quoted = new RequestAudit(Instant.parse("2026-12-04T23:00:00.987654Z"), null, null, null, null, "GET", "/", null);
		quoted.outcomeDescription = "invalid at Patient.name; \"quoted\" \\ Ünïcödé\ttab \uD83D\uDE00 beyond the basic plane";
		pairs.add(new Pair("escaped", EVENTS.rest(quoted, 400, List.of()), MODEL.rest(quoted, 400, List.of())));

		AuditEvents.Delivery failed = new AuditEvents.Delivery(Instant.parse("2026-12-04T23:00:01.123Z"), "notification", "Subscription/s1",
				"Task/t1/_history/2", "Patient/p1", "receiver.example.org:8443", "r-1", "c-1", false, true, 503,
				"Could not deliver: the receiver answered 503");
		pairs.add(new Pair("delivery failed", EVENTS.transmit(failed), MODEL.transmit(failed)));
		AuditEvents.Delivery delivered = new AuditEvents.Delivery(Instant.parse("2026-12-04T23:00:02Z"), "feedback", "Endpoint/e1", null, null,
				null, null, "c-2", true, false, 200, null);
		pairs.add(new Pair("delivered", EVENTS.transmit(delivered), MODEL.transmit(delivered)));
		return pairs;
	}

	private static RequestAudit request(String method, String path, String query, String server) {
		return new RequestAudit(Instant.parse("2026-12-04T23:00:00Z"), "11111111-2222-3333-4444-555555555555", "corr-1", "192.0.2.7", server,
				method, path, query);
	}
}
