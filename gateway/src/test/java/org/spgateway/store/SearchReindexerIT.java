package org.spgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A SearchParameter added to (or removed from) the conformance folders after resources were stored
 * applies to those resources once the restart that loads it has re-indexed them, in the background,
 * batch by batch, carrying on after a restart that interrupted it.
 */
class SearchReindexerIT {

	private static final String S = "https://example.org/reindex-it";
	private static final String SMALL_BATCHES = "gateway.search.reindex-batch-size=2";

	@Test
	void aParameterAddedOrRemovedAfterResourcesWereStoredAppliesToThemAfterTheRestart() {
		String run = UUID.randomUUID().toString();
		String jdbcUrl;
		try (GatewayServer before = GatewayServer.start(SMALL_BATCHES)) {
			createPatients(before, run, "female", "female", "male");
			HttpResponse<String> unknown = Http.get(before.baseUrl() + "/Patient?sex=female");
			assertThat(unknown.statusCode()).as("no such parameter yet").isEqualTo(400);
			jdbcUrl = before.jdbcUrl();
		}

		try (GatewayServer added = GatewayServer.startOn(jdbcUrl, withSexParameter(), SMALL_BATCHES)) {
			String health = upToDate(added);
			assertThat(health).contains("\"reindexedSinceStart\":{\"Patient\":3}");
			assertThat(ids(added, "/Patient?sex=female&identifier=" + S + "|")).hasSize(2);
			createPatients(added, run, "female");
			assertThat(ids(added, "/Patient?sex=female&identifier=" + S + "|")).as("written after the restart").hasSize(3);
		}

		try (GatewayServer removed = GatewayServer.startOn(jdbcUrl, SMALL_BATCHES)) {
			assertThat(upToDate(removed)).contains("\"reindexedSinceStart\":{\"Patient\":4}");
			assertThat(Http.get(removed.baseUrl() + "/Patient?sex=female").statusCode()).isEqualTo(400);
			assertThat(removed.bean(JdbcTemplate.class).queryForObject("SELECT count(*) FROM idx_token WHERE param = 'sex'", Long.class))
					.as("index rows of the removed parameter").isZero();
		}
	}

	@Test
	void aReindexInterruptedByARestartCarriesOnAfterItsLastBatch() {
		String run = UUID.randomUUID().toString();
		String jdbcUrl;
		try (GatewayServer gateway = GatewayServer.start(withSexParameter(), SMALL_BATCHES)) {
			createPatients(gateway, run, "female", "female", "female");
			upToDate(gateway);
			jdbcUrl = gateway.jdbcUrl();
			// As a restart leaves it after committing the batch that ended with the second Patient: the first
			// two done (their new rows are there), the third still indexed the old way (no "sex" row).
			JdbcTemplate jdbc = gateway.bean(JdbcTemplate.class);
			List<Long> pks = jdbc.queryForList("SELECT res_pk FROM resource WHERE res_type = 'Patient' ORDER BY res_pk", Long.class);
			jdbc.update("DELETE FROM idx_token WHERE param = 'sex' AND res_pk = ?", pks.get(2));
			jdbc.update("UPDATE search_index_state SET reindex_to = parameters, done_through = ?, parameters = 'before' WHERE res_type = 'Patient'",
					pks.get(1));
		}

		try (GatewayServer restarted = GatewayServer.startOn(jdbcUrl, withSexParameter(), SMALL_BATCHES)) {
			assertThat(upToDate(restarted)).as("only the one not yet done").contains("\"reindexedSinceStart\":{\"Patient\":1}");
			assertThat(ids(restarted, "/Patient?sex=female&identifier=" + S + "|")).hasSize(3);
		}
	}

	private static void createPatients(GatewayServer gateway, String run, String... genders) {
		for (String gender : genders) {
			String body = "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + S + "\",\"value\":\"" + run + "-"
					+ UUID.randomUUID() + "\"}],\"gender\":\"" + gender + "\"}";
			assertThat(Http.post(gateway.baseUrl() + "/Patient", body).statusCode()).isEqualTo(201);
		}
	}

	private static List<String> ids(GatewayServer gateway, String search) {
		HttpResponse<String> response = Http.get(gateway.baseUrl() + search);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Http.parse(response, Bundle.class).getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList();
	}

	/** Waits for the searchIndex health component to say the index is up to date, and returns the health JSON. */
	private static String upToDate(GatewayServer gateway) {
		return Awaitility.await("search index up to date").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
				.until(() -> Http.get("http://localhost:" + gateway.port() + "/actuator/health").body(),
						body -> body.contains("\"state\":\"up to date\""));
	}

	private static String withSexParameter() {
		try {
			return "gateway.conformance.additional-locations="
					+ Path.of(SearchReindexerIT.class.getResource("reindex-profiles").toURI());
		} catch (URISyntaxException e) {
			throw new IllegalStateException(e);
		}
	}
}
