package org.spgateway.validation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.spgateway.conformance.LoadedResource;
import org.springframework.boot.info.BuildProperties;

/** A fingerprint names the files, their contents and the build: any of them changed, the check is made again. */
class StoredConformanceChecksTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	@Test
	void theSameFilesCheckedByTheSameBuildHaveTheSameFingerprintAndAnyChangeAnother() {
		List<LoadedResource> files = List.of(file("profiles/a.json", "one"), file("profiles/b.json", "two"));
		String fingerprint = checks(build("2026-12-05T11:00:00Z")).fingerprint(files);
		assertThat(checks(build("2026-12-05T11:00:00Z")).fingerprint(List.of(file("profiles/a.json", "one"), file("profiles/b.json", "two"))))
				.isEqualTo(fingerprint);
		assertThat(checks(build("2026-12-05T11:00:00Z")).fingerprint(List.of(file("profiles/a.json", "one"), file("profiles/b.json", "changed"))))
				.isNotEqualTo(fingerprint);
		assertThat(checks(build("2026-12-05T11:00:00Z")).fingerprint(List.of(file("profiles/a.json", "one"), file("profiles/c.json", "two"))))
				.isNotEqualTo(fingerprint);
		assertThat(checks(build("2026-12-05T11:00:00Z")).fingerprint(List.of(file("profiles/a.json", "one")))).isNotEqualTo(fingerprint);
		assertThat(checks(build("2026-12-05T12:00:00Z")).fingerprint(files)).isNotEqualTo(fingerprint);
	}

	@Test
	void withoutBuildInformationNothingIsRemembered() {
		assertThat(checks(null).fingerprint(List.of(file("profiles/a.json", "one")))).isNull();
	}

	private static StoredConformanceChecks checks(BuildProperties build) {
		return new StoredConformanceChecks(null, FHIR, build);
	}

	private static BuildProperties build(String time) {
		Properties properties = new Properties();
		properties.setProperty("version", "0.1.0-SNAPSHOT");
		properties.setProperty("time", Instant.parse(time).toString());
		return new BuildProperties(properties);
	}

	private static LoadedResource file(String source, String family) {
		Patient patient = new Patient();
		patient.addName().setFamily(family);
		return new LoadedResource(source, patient);
	}
}
