package org.spgateway.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.junit.jupiter.api.io.TempDir;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;

/**
 * With no spring.datasource.url the gateway runs its own PostgreSQL, keeps the cluster under
 * gateway.data-dir, and finds its data there again after a restart.
 */
class EmbeddedDatabaseIT {

	@TempDir
	Path dataDir;

	@Test
	void runsOnItsOwnPostgresqlAndKeepsDataAcrossRestarts() {
		String marker = UUID.randomUUID().toString();
		String patient = "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"https://example.org/embedded-it\",\"value\":\"" + marker
				+ "\"}],\"name\":[{\"family\":\"Durable\"}]}";
		Path cluster = dataDir.resolve("postgres");
		try (GatewayServer gateway = GatewayServer.startEmbedded(dataDir)) {
			assertThat(gateway.jdbcUrl()).isNull();
			assertThat(cluster.resolve("PG_VERSION")).exists();
			assertThat(cluster.resolve("postmaster.pid")).exists();
			assertThat(Http.get("http://localhost:" + gateway.port() + "/actuator/health").body()).contains("\"db\":{\"status\":\"UP\"");

			HttpResponse<String> created = Http.post(gateway.baseUrl() + "/Patient", patient);
			assertThat(created.statusCode()).isEqualTo(201);
			String id = Http.parse(created, Patient.class).getIdElement().getIdPart();

			gateway.stop();
			// A clean stop shuts the embedded server down too: nothing is left holding the data directory.
			assertThat(cluster.resolve("postmaster.pid")).doesNotExist();

			gateway.restart();
			Patient read = Http.parse(Http.get(gateway.baseUrl() + "/Patient/" + id), Patient.class);
			assertThat(read.getNameFirstRep().getFamily()).isEqualTo("Durable");
			Bundle found = Http.parse(Http.get(gateway.baseUrl() + "/Patient?identifier=https://example.org/embedded-it|" + marker), Bundle.class);
			assertThat(found.getEntry()).hasSize(1);
			// Conformance resources were loaded once and are unchanged on the second start: still version 1.
			assertThat(Http.get(gateway.baseUrl() + "/StructureDefinition/sp-patient").body()).contains("\"versionId\":\"1\"");
			// A map read from the Mapping Language too (its narrative once made every map a new version at every start).
			assertThat(Http.get(gateway.baseUrl() + "/StructureMap/meadow-gp-referral-inbound").body()).contains("\"versionId\":\"1\"");
			// The first start checked the conformance resources and remembered it; the second found the same files and build.
			assertThat(gateway.bean(JdbcTemplate.class).queryForObject("SELECT count(*) FROM conformance_check", Integer.class)).isEqualTo(1);
		}
		assertThat(cluster.resolve("postmaster.pid")).doesNotExist();
		assertThat(Files.isDirectory(cluster)).isTrue();
	}
}
