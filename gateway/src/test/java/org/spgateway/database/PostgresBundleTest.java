package org.spgateway.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.XZInputStream;

/** The embedded PostgreSQL the jar ships (and the tests run): what the build's PostgresBundle left in and out. */
class PostgresBundleTest {

	private static final Set<String> files = new HashSet<>();
	private static final Map<String, String> links = new HashMap<>();

	@BeforeAll
	static void readTheShippedArchive() throws IOException {
		// The tests' classpath has the build's copy, not zonky's jar (surefire's classpathDependencyExcludes).
		try (InputStream archive = PostgresBundleTest.class.getResourceAsStream("/postgres-linux-x86_64.txz")) {
			assertThat(archive).as("postgres-linux-x86_64.txz on the classpath").isNotNull();
			try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(archive)))) {
				for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
					if (entry.isSymbolicLink()) {
						links.put(entry.getName(), entry.getLinkName());
					} else if (entry.isFile()) {
						files.add(entry.getName());
					}
				}
			}
		}
	}

	@Test
	void theProgramsZonkyRunsAndTheServersOwnModulesAreShipped() {
		assertThat(files).contains("bin/initdb", "bin/pg_ctl", "bin/postgres", "lib/libpq.so.5.17", "lib/postgresql/plpgsql.so",
				"lib/postgresql/dict_snowball.so", "lib/postgresql/utf8_and_iso8859_1.so", "lib/postgresql/libpqwalreceiver.so",
				"share/postgresql/extension/plpgsql.control", "share/postgresql/snowball_create.sql", "share/postgresql/postgres.bki");
	}

	@Test
	void contribExtensionsAndBuildFilesAreLeftOut() {
		assertThat(files).noneMatch(f -> f.endsWith(".a") || f.startsWith("lib/pkgconfig/") || f.startsWith("lib/postgresql/pgxs/"));
		assertThat(files).doesNotContain("lib/postgresql/pgcrypto.so", "lib/postgresql/dblink.so", "lib/postgresql/file_fdw.so",
				"lib/postgresql/plpython3.so", "share/postgresql/extension/pgcrypto.control", "lib/libxslt.so.1");
		assertThat(links.keySet()).noneMatch(l -> l.startsWith("lib/libecpg") || l.startsWith("lib/libpgtypes"));
	}

	@Test
	void everyLinkPointsAtAShippedLibrary() {
		assertThat(links).isNotEmpty();
		links.forEach((link, target) -> {
			String folder = link.substring(0, link.lastIndexOf('/') + 1);
			assertThat(files).as(link).contains(folder + target);
		});
	}

	@Test
	void theRulesKeepCoreModulesAndDropContribOnes() {
		assertThat(PostgresBundle.ships("lib/postgresql/euc_jp_and_sjis.so")).isTrue();
		assertThat(PostgresBundle.ships("lib/postgresql/pgoutput.so")).isTrue();
		assertThat(PostgresBundle.ships("share/postgresql/extension/plpgsql--1.0.sql")).isTrue();
		assertThat(PostgresBundle.ships("share/postgresql/timezone/Europe/London")).isTrue();
		assertThat(PostgresBundle.ships("lib/libicudata.so.60.2")).isTrue();
		assertThat(PostgresBundle.ships("lib/postgresql/pg_trgm.so")).isFalse();
		assertThat(PostgresBundle.ships("share/postgresql/extension/pg_trgm--1.6.sql")).isFalse();
		assertThat(PostgresBundle.ships("lib/libpq.a")).isFalse();
	}
}
