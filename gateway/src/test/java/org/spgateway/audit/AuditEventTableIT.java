package org.spgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.spgateway.intake.TestNhsNumbers;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.TestDatabase;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The audit trail lives in its own append-only table, not in the resource store, and is served from it
 * with AuditEvent's search parameters, paging and includes, to administrators (and sandbox testers) only.
 * A database upgraded from a version that kept AuditEvents as resources keeps its trail, searchable and
 * verifiable.
 */
class AuditEventTableIT {

	private static final String REQUEST_ID = AuditTrailIT.REQUEST_ID;

	@Test
	void eventsAreRowsOfTheirOwnTableServedWithSearchPagingAndIncludesToAdministratorsOnly() {
		try (GatewayServer gateway = GatewayServer.start("gateway.sandbox=true", "gateway.audit.flush-interval=50ms")) {
			String base = gateway.baseUrl();
			String created = UUID.randomUUID().toString();
			HttpResponse<String> post = Http.post(base + "/Patient", AuditTrailIT.patient(TestNhsNumbers.next()), "X-Request-Id", created);
			assertThat(post.statusCode()).as(post.body()).isEqualTo(201);
			String patient = Http.parse(post, org.hl7.fhir.r4.model.Patient.class).getIdElement().getIdPart();
			for (int i = 0; i < 3; i++) {
				assertThat(Http.get(base + "/Patient/" + patient).statusCode()).isEqualTo(200);
			}
			AuditEvent event = await().atMost(Duration.ofSeconds(20)).until(() -> search(gateway, "entity:identifier=" + REQUEST_ID + "|" + created),
					l -> l.size() == 1).get(0);
			String id = event.getIdElement().getIdPart();

			// One row per event in audit_event; nothing of the trail in the resource store.
			JdbcTemplate jdbc = gateway.bean(JdbcTemplate.class);
			assertThat(jdbc.queryForObject("SELECT count(*) FROM resource WHERE res_type = 'AuditEvent'", Integer.class)).isZero();
			assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_event WHERE event_id = ? AND content IS NOT NULL", Integer.class, id))
					.isEqualTo(1);

			// The events' JSON is compressed with lz4 where the server has it (V124), else with PostgreSQL's default.
			boolean lz4 = Boolean.TRUE.equals(jdbc.execute((ConnectionCallback<Boolean>) c -> {
				try (var s = c.createStatement()) {
					s.execute("CREATE FUNCTION pg_temp.has_lz4() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN"
							+ " CREATE TEMP TABLE lz4_probe (b bytea COMPRESSION lz4); DROP TABLE lz4_probe; RETURN true;"
							+ " EXCEPTION WHEN feature_not_supported THEN RETURN false; END $$");
					try (var rs = s.executeQuery("SELECT pg_temp.has_lz4()")) {
						return rs.next() && rs.getBoolean(1);
					}
				}
			}));
			assertThat(jdbc.queryForObject("SELECT attcompression::text FROM pg_attribute WHERE attrelid = 'audit_event'::regclass"
					+ " AND attname = 'content'", String.class)).isEqualTo(lz4 ? "l" : "");

			// read, vread and history of the one version.
			HttpResponse<String> read = Http.get(base + "/AuditEvent/" + id);
			assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
			assertThat(Http.parse(read, AuditEvent.class).getMeta().getVersionId()).isEqualTo("1");
			assertThat(Http.get(base + "/AuditEvent/" + id + "/_history/1").statusCode()).isEqualTo(200);
			assertThat(Http.get(base + "/AuditEvent/" + id + "/_history/2").statusCode()).isEqualTo(404);
			assertThat(Http.parse(Http.get(base + "/AuditEvent/" + id + "/_history"), Bundle.class).getEntry()).hasSize(1);

			// Search: reference by id alone and by full URL, token with and without system, string from its start, dates.
			String today = LocalDate.now().toString();
			assertThat(search(gateway, "patient=" + patient + "&subtype=read")).hasSize(3);
			assertThat(search(gateway, "entity=" + patient + "&subtype=read")).hasSize(3);
			assertThat(search(gateway, "entity=Patient/" + patient + "&outcome=0,4&subtype=read")).hasSize(3);
			assertThat(search(gateway, "entity=Patient/" + patient + "&outcome=4&subtype=read")).isEmpty();
			// The GIN index gathers new keys in a short pending list (V123) and merges it into the index now and then: events are
			// found the same before and after the merge.
			assertThat(jdbc.queryForObject("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'audit_event_keys'",
					String.class)).contains("gin_pending_list_limit=512");
			assertThat(jdbc.queryForObject("SELECT gin_clean_pending_list('audit_event_keys'::regclass)", Long.class)).isNotNull();
			assertThat(search(gateway, "patient=" + patient + "&subtype=read")).hasSize(3);
			assertThat(search(gateway, "entity:identifier=" + REQUEST_ID + "|" + created)).extracting(e -> e.getIdElement().getIdPart())
					.containsExactly(id);
			assertThat(search(gateway, "patient=Patient/" + patient + "&agent:identifier=" + AuditCodes.CLIENT_ID + "|"))
					.hasSizeGreaterThanOrEqualTo(4);
			assertThat(search(gateway, "patient=Patient/" + patient + "&agent:identifier=https://example.org/other|")).isEmpty();
			assertThat(search(gateway, "patient=" + base + "/Patient/" + patient + "&action=http://hl7.org/fhir/audit-event-action|R"))
					.hasSize(3);
			assertThat(search(gateway, "patient=Patient/" + patient + "&agent-name=DEMO-TES&subtype=create")).hasSize(1);
			assertThat(search(gateway, "patient=Patient/" + patient + "&agent-name:exact=DEMO-TESTER")).isEmpty();
			assertThat(search(gateway, "patient=Patient/" + patient + "&subtype=read&date=lt" + today)).isEmpty();
			assertThat(search(gateway, "patient=Patient/" + patient + "&subtype=read&date=ge" + today)).hasSize(3);
			assertThat(search(gateway, "patient=Patient/" + patient + "&_tag=http://example.org|x")).isEmpty();

			// Paging by offset, newest first when asked, with a total when asked.
			HttpResponse<String> first = Http.get(base + "/AuditEvent?patient=Patient/" + patient + "&subtype=read&_count=2&_sort=-date&_total=accurate");
			Bundle page = Http.parse(first, Bundle.class);
			assertThat(page.getEntry()).hasSize(2);
			assertThat(page.getTotal()).isEqualTo(3);
			assertThat(page.getLink("next")).isNotNull();
			assertThat(((AuditEvent) page.getEntry().get(0).getResource()).getRecorded())
					.isAfterOrEqualTo(((AuditEvent) page.getEntry().get(1).getResource()).getRecorded());
			Bundle second = Http.parse(Http.get(page.getLink("next").getUrl()), Bundle.class);
			assertThat(second.getEntry()).hasSize(1);

			// _include brings the Patient the event names.
			Bundle included = Http.parse(Http.get(base + "/AuditEvent?entity:identifier=" + encode(REQUEST_ID + "|" + created)
					+ "&_include=AuditEvent:patient"), Bundle.class);
			assertThat(included.getEntry()).extracting(e -> e.getResource().fhirType()).containsExactlyInAnyOrder("AuditEvent", "Patient");

			// A referrer finds none and cannot read one; AuditEvents stay read-only.
			String referrer = "Bearer " + gateway.tokenFor("demo-gp");
			HttpResponse<String> asReferrer = Http.get(base + "/AuditEvent?_count=5", "Authorization", referrer);
			assertThat(asReferrer.statusCode()).as(asReferrer.body()).isEqualTo(200);
			assertThat(Http.parse(asReferrer, Bundle.class).getEntry()).isEmpty();
			assertThat(Http.get(base + "/AuditEvent/" + id, "Authorization", referrer).statusCode()).isEqualTo(404);
			String admin = "Bearer " + gateway.tokenFor("demo-admin");
			assertThat(Http.get(base + "/AuditEvent/" + id, "Authorization", admin).statusCode()).isEqualTo(200);
			assertThat(Http.put(base + "/AuditEvent/" + id, read.body()).statusCode()).isEqualTo(405);

			// An unknown parameter is refused in plain words.
			HttpResponse<String> unknown = Http.get(base + "/AuditEvent?colour=red");
			assertThat(unknown.statusCode()).isEqualTo(400);
			assertThat(unknown.body()).contains("AuditEvent cannot be searched by 'colour'").doesNotContain("Exception");
		}
	}

	@Test
	void anUpgradedDatabaseKeepsItsTrailSearchableAndVerifiable() throws Exception {
		String url = TestDatabase.newDatabase();
		Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").target("60").load().migrate();
		// The trail as the last release stored it: AuditEvents as resources, their links in audit_event.
		String requestId = UUID.randomUUID().toString();
		AuditEvent legacy = legacyEvent(requestId);
		ModelAuditChain.link(legacy, 1, AuditChain.GENESIS);
		AuditChain.Sealed sealed = ModelAuditChain.seal(legacy, AuditChain.GENESIS, AuditJson.encode(legacy));
		AuditEvent changed = legacyEvent(UUID.randomUUID().toString());
		ModelAuditChain.link(changed, 2, sealed.hash());
		AuditChain.Sealed sealedChanged = ModelAuditChain.seal(changed, sealed.hash(), AuditJson.encode(changed));
		String waitingRequestId = UUID.randomUUID().toString();
		AuditEvent waiting = legacyEvent(waitingRequestId);
		try (Connection c = DriverManager.getConnection(url)) {
			storeLegacy(c, 1, legacy, sealed, AuditChain.GENESIS, 1);
			storeLegacy(c, 2, changed, sealedChanged, sealed.hash(), 2);
			try (PreparedStatement head = c.prepareStatement("UPDATE audit_chain_head SET seq = 2, hash = ? WHERE id = 1")) {
				head.setString(1, sealedChanged.hash());
				head.executeUpdate();
			}
			// A write's event the last release committed but had not chained yet: its JSON alone, no search keys beside it.
			try (PreparedStatement pending = c.prepareStatement("INSERT INTO audit_pending (event_id, content) VALUES (?, ?)")) {
				pending.setString(1, waiting.getIdElement().getIdPart());
				pending.setString(2, AuditJson.encode(waiting));
				pending.executeUpdate();
			}
		}

		try (GatewayServer gateway = GatewayServer.startOn(url, "gateway.audit.flush-interval=50ms")) {
			JdbcTemplate jdbc = gateway.bean(JdbcTemplate.class);
			assertThat(jdbc.queryForObject("SELECT count(*) FROM resource WHERE res_type = 'AuditEvent'", Integer.class)).isZero();
			List<AuditEvent> found = await().atMost(Duration.ofSeconds(20))
					.until(() -> search(gateway, "entity:identifier=" + REQUEST_ID + "|" + requestId), l -> !l.isEmpty());
			await().atMost(Duration.ofSeconds(20)).until(() -> AuditChainIT.count(jdbc, "SELECT count(*) FROM audit_pending") == 0);
			assertThat(found).singleElement().satisfies(e -> assertThat(e.getIdElement().getIdPart()).isEqualTo(legacy.getIdElement().getIdPart()));
			assertThat(search(gateway, "patient=Patient/legacy-patient&outcome=0&subtype=read")).hasSize(3);
			// The pending one is chained next, with the keys read from its JSON.
			assertThat(jdbc.queryForObject("SELECT seq FROM audit_event WHERE event_id = ?", Long.class, waiting.getIdElement().getIdPart()))
					.isEqualTo(3);
			assertThat(search(gateway, "entity:identifier=" + REQUEST_ID + "|" + waitingRequestId)).hasSize(1);

			assertThat(AuditChainIT.verify(gateway, "?to=1").getParameterBool("valid")).isTrue();
			// A change made in the resource store before the upgrade is still named.
			Parameters all = AuditChainIT.verify(gateway, "");
			assertThat(all.getParameterBool("valid")).isFalse();
			assertThat(AuditChainIT.describe(all)).contains("has been changed: it has version 2");
			// New events chain on after the legacy ones.
			await().atMost(Duration.ofSeconds(20)).until(() -> AuditChainIT.count(jdbc, "SELECT max(seq) FROM audit_event") > 2);
			assertThat(AuditChainIT.verify(gateway, "?from=3").getParameterBool("valid")).isTrue();
		}
	}

	private static AuditEvent legacyEvent(String requestId) {
		AuditEvent event = new AuditEvent();
		event.setId(UUID.randomUUID().toString());
		event.setRecorded(Date.from(Instant.now()));
		event.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", null));
		event.addSubtype(new Coding("http://hl7.org/fhir/restful-interaction", "read", null));
		event.setAction(AuditEvent.AuditEventAction.R);
		event.setOutcome(AuditEvent.AuditEventOutcome._0);
		event.addAgent().setRequestor(true).setWho(new Reference().setIdentifier(new Identifier().setSystem(AuditCodes.CLIENT_ID)
				.setValue("demo-gp")));
		event.addEntity().setWhat(new Reference("Patient/legacy-patient"));
		event.addEntity().setWhat(new Reference().setIdentifier(new Identifier().setSystem(REQUEST_ID).setValue(requestId)));
		return event;
	}

	private static void storeLegacy(Connection c, long seq, AuditEvent event, AuditChain.Sealed sealed, String previous, int version)
			throws Exception {
		long pk;
		try (var s = c.createStatement(); var rs = s.executeQuery("SELECT nextval('res_pk_seq')")) {
			rs.next();
			pk = rs.getLong(1);
		}
		String id = event.getIdElement().getIdPart();
		Timestamp now = Timestamp.from(Instant.now());
		try (PreparedStatement r = c.prepareStatement("INSERT INTO resource (res_pk, res_type, res_id, version, last_updated) VALUES (?, 'AuditEvent', ?, ?, ?)")) {
			r.setLong(1, pk);
			r.setString(2, id);
			r.setInt(3, version);
			r.setTimestamp(4, now);
			r.executeUpdate();
		}
		try (PreparedStatement v = c.prepareStatement("INSERT INTO resource_version (res_pk, version, last_updated, method, content) VALUES (?, ?, ?, 'POST', ?)")) {
			v.setLong(1, pk);
			v.setInt(2, version);
			v.setTimestamp(3, now);
			v.setString(4, sealed.stored(Integer.toString(version), "2026-12-01T10:00:00.000+00:00"));
			v.executeUpdate();
		}
		try (PreparedStatement a = c.prepareStatement("INSERT INTO audit_event (seq, event_id, res_pk, recorded, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)")) {
			a.setLong(1, seq);
			a.setString(2, id);
			a.setLong(3, pk);
			a.setTimestamp(4, Timestamp.from(event.getRecorded().toInstant()));
			a.setString(5, previous);
			a.setString(6, sealed.hash());
			a.executeUpdate();
		}
	}

	private static List<AuditEvent> search(GatewayServer gateway, String query) {
		String encoded = query.replace("|", encode("|"));
		HttpResponse<String> response = Http.get(gateway.baseUrl() + "/AuditEvent?" + encoded + "&_count=100");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Http.parse(response, Bundle.class).getEntry().stream().map(e -> (AuditEvent) e.getResource()).toList();
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}
}
