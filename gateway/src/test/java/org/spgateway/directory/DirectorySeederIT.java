package org.spgateway.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Organization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;

/** Directory seed files load idempotently at start-up: created once, updated when the file changes, never undoing an API edit. */
class DirectorySeederIT {

	@TempDir
	Path dir;

	static <T extends org.hl7.fhir.r4.model.Resource> T read(GatewayServer gateway, String location, Class<T> type) {
		HttpResponse<String> response = Http.get(gateway.baseUrl() + "/" + location);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Http.parse(response, type);
	}

	@Test
	void seedingTwiceChangesNothingAChangedFileIsAppliedAndAnApiEditIsKept() throws IOException {
		Path seed = dir.resolve("directory.json");
		Files.writeString(seed, Fixtures.text(DirectorySeederIT.class, "seed-directory.json"));
		try (GatewayServer gateway = GatewayServer.start("gateway.directory.seed-files=" + seed)) {
			Organization org = read(gateway, "Organization/ods-B99901", Organization.class);
			assertThat(org.getName()).isEqualTo("Brookside Surgery");
			assertThat(org.getMeta().getVersionId()).isEqualTo("1");
			assertThat(read(gateway, "HealthcareService/dos-9100001", HealthcareService.class).getMeta().getVersionId()).isEqualTo("1");
			// Sandbox mode is off: only the file's directory is there.
			assertThat(Http.get(gateway.baseUrl() + "/HealthcareService/dos-9000001").statusCode()).isEqualTo(404);

			gateway.restart();
			assertThat(read(gateway, "Organization/ods-B99901", Organization.class).getMeta().getVersionId()).isEqualTo("1");
			assertThat(read(gateway, "HealthcareService/dos-9100001", HealthcareService.class).getMeta().getVersionId()).isEqualTo("1");

			// The file changes the service's name; someone renames the practice through the API.
			Files.writeString(seed, Fixtures.text(DirectorySeederIT.class, "seed-directory.json").replace("Brookside wellbeing service",
					"Brookside wellbeing and social prescribing service"));
			Organization edited = read(gateway, "Organization/ods-B99901", Organization.class);
			edited.setName("Brookside Surgery (Health Centre)");
			assertThat(Http.put(gateway.baseUrl() + "/Organization/ods-B99901", GatewayServer.fhirContext().newJsonParser().encodeResourceToString(edited))
					.statusCode()).isEqualTo(200);
			gateway.restart();

			HealthcareService service = read(gateway, "HealthcareService/dos-9100001", HealthcareService.class);
			assertThat(service.getName()).isEqualTo("Brookside wellbeing and social prescribing service");
			assertThat(service.getMeta().getVersionId()).isEqualTo("2");
			Organization kept = read(gateway, "Organization/ods-B99901", Organization.class);
			assertThat(kept.getName()).isEqualTo("Brookside Surgery (Health Centre)");
			assertThat(kept.getMeta().getVersionId()).isEqualTo("2");
		}
	}

	@Test
	void aSeedEntryWhoseIdentifierIsTakenUnderAnotherIdIsNotCreatedTwice() throws IOException {
		Path seed = dir.resolve("directory.json");
		Files.writeString(seed, Fixtures.text(DirectorySeederIT.class, "seed-directory.json"));
		try (GatewayServer gateway = GatewayServer.start("gateway.sandbox=true", "gateway.directory.seed-files=" + seed)) {
			String duplicate = "{\"resourceType\":\"Organization\",\"id\":\"riverside\",\"identifier\":[{\"system\":"
					+ "\"https://fhir.nhs.uk/Id/ods-organization-code\",\"value\":\"A99901\"}],\"name\":\"Riverside Surgery (copy)\"}";
			Path second = dir.resolve("second.json");
			Files.writeString(second, duplicate);
			gateway.stop();
			try (GatewayServer again = GatewayServer.startOn(gateway.jdbcUrl(), "gateway.sandbox=true", "gateway.directory.seed-files=" + seed + "," + second)) {
				assertThat(Http.get(again.baseUrl() + "/Organization/riverside").statusCode()).isEqualTo(404);
				Bundle found = Http.parse(Http.get(again.baseUrl() + "/Organization?identifier=https://fhir.nhs.uk/Id/ods-organization-code%7CA99901"),
						Bundle.class);
				assertThat(found.getEntry()).hasSize(1);
			}
		}
	}

	@Test
	void anInvalidSeedFileStopsStartUpNamingTheFileAndEntry() throws IOException {
		Path seed = dir.resolve("broken.json");
		Files.writeString(seed, Fixtures.text(DirectorySeederIT.class, "seed-directory.json").replace("\"active\": true", "\"active\": \"yes\""));
		assertThatThrownBy(() -> GatewayServer.start("gateway.directory.seed-files=" + seed)).hasStackTraceContaining("broken.json");
	}
}
