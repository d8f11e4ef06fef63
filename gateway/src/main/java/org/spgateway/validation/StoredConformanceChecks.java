package org.spgateway.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.spgateway.conformance.LoadedResource;
import org.springframework.boot.info.BuildProperties;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The conformance checks that passed, in the database, by a fingerprint of every resource checked (its file and content)
 * and of the build that checked them (its version and build time): a gateway restarted with the same files and the same
 * build knows they are valid without validating them again, which took a second of every start on two cores. A changed,
 * added or removed file, or another build, is a new fingerprint and is checked. Without build information (a gateway run
 * from an IDE's classes) nothing is remembered.
 */
final class StoredConformanceChecks implements ValidatorWarmUp.PassedChecks {

	private final JdbcTemplate jdbc;
	private final FhirContext fhirContext;
	private final BuildProperties build;

	StoredConformanceChecks(JdbcTemplate jdbc, FhirContext fhirContext, BuildProperties build) {
		this.jdbc = jdbc;
		this.fhirContext = fhirContext;
		this.build = build;
	}

	@Override
	public String fingerprint(List<LoadedResource> checks) {
		if (build == null || build.getTime() == null) {
			return null;
		}
		IParser json = fhirContext.newJsonParser();
		MessageDigest sha256 = sha256();
		sha256.update((build.getVersion() + "@" + build.getTime()).getBytes(StandardCharsets.UTF_8));
		for (LoadedResource loaded : checks) {
			// Zero bytes between the parts, so that no two lists of files and contents run together into the same bytes.
			sha256.update(("\0" + loaded.source() + "\0" + json.encodeResourceToString(loaded.resource())).getBytes(StandardCharsets.UTF_8));
		}
		return HexFormat.of().formatHex(sha256.digest());
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("Every Java platform has SHA-256", e);
		}
	}

	@Override
	public boolean passed(String fingerprint) {
		return jdbc.queryForObject("SELECT count(*) FROM conformance_check WHERE fingerprint = ?", Integer.class, fingerprint) > 0;
	}

	@Override
	public void record(String fingerprint) {
		jdbc.update("INSERT INTO conformance_check (fingerprint) VALUES (?) ON CONFLICT DO NOTHING", fingerprint);
	}
}
