package org.spgateway.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;

/**
 * The embedded PostgreSQL: the gateway connects as its own role (not a superuser) with a generated password
 * kept owner-only in the data directory, every connection needs a password, and a data directory written by an
 * earlier version (everything owned by the superuser, no passwords) is handed over on its first start.
 */
class EmbeddedDatabaseRoleIT {

	@TempDir
	Path dataDir;

	@Test
	void theEmbeddedDatabaseIsUsedAsARoleOfItsOwnWithAGeneratedPassword() throws Exception {
		try (GatewayServer gateway = GatewayServer.startEmbedded(dataDir)) {
			DataSource dataSource = gateway.bean(DataSource.class);
			DatabaseRoleIT.assertCannotRunPrograms(dataSource);
			try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
					ResultSet rs = s.executeQuery("SELECT current_user, pg_get_userbyid(datdba) FROM pg_database"
							+ " WHERE datname = current_database()")) {
				assertThat(rs.next()).isTrue();
				assertThat(rs.getString(1)).isEqualTo("gateway");
				assertThat(rs.getString(2)).as("the database's owner").isEqualTo("gateway");
			}
			Path credentials = dataDir.resolve("database.credentials");
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials))).isEqualTo("rw-------");
			String url = ((HikariDataSource) dataSource).getJdbcUrl();
			assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "")).isInstanceOf(SQLException.class);
			assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "postgres")).isInstanceOf(SQLException.class);
			assertThatThrownBy(() -> DriverManager.getConnection(url, "gateway", "guess")).isInstanceOf(SQLException.class);
		}
	}

	@Test
	void aDataDirectoryFromBeforeTheApplicationRoleIsHandedOverWithItsData() throws Exception {
		String id;
		try (GatewayServer gateway = GatewayServer.startEmbedded(dataDir)) {
			HttpResponse<String> created = Http.post(gateway.baseUrl() + "/Patient",
					"{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Older\"}]}");
			id = Http.parse(created, Patient.class).getIdElement().getIdPart();
		}
		makeItLookLikeAnEarlierVersionsDataDirectory();

		try (GatewayServer gateway = GatewayServer.startEmbedded(dataDir)) {
			Patient read = Http.parse(Http.get(gateway.baseUrl() + "/Patient/" + id), Patient.class);
			assertThat(read.getNameFirstRep().getFamily()).isEqualTo("Older");
			HttpResponse<String> another = Http.post(gateway.baseUrl() + "/Patient", "{\"resourceType\":\"Patient\",\"active\":true}");
			assertThat(another.statusCode()).isEqualTo(201);
			DataSource dataSource = gateway.bean(DataSource.class);
			DatabaseRoleIT.assertCannotRunPrograms(dataSource);
			try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
					ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
							+ " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S', 'v') AND pg_get_userbyid(c.relowner) <> 'gateway'")) {
				assertThat(rs.next()).isTrue();
				assertThat(rs.getInt(1)).as("tables and sequences not owned by the gateway's role").isZero();
			}
		}
	}

	/** As the gateway left its data before it had a role of its own: the superuser owns everything, and trusts anyone local. */
	private void makeItLookLikeAnEarlierVersionsDataDirectory() throws Exception {
		Path cluster = dataDir.resolve("postgres");
		Files.writeString(cluster.resolve("pg_hba.conf"),
				"local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n");
		Files.delete(dataDir.resolve("database.credentials"));
		try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(cluster).setCleanDataDirectory(false).start()) {
			try (Connection c = postgres.getDatabase("postgres", "gateway").getConnection(); Statement s = c.createStatement()) {
				s.execute("REASSIGN OWNED BY gateway TO postgres");
				s.execute("DROP OWNED BY gateway");
			}
			try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
				s.execute("ALTER DATABASE gateway OWNER TO postgres");
				s.execute("DROP ROLE gateway");
				s.execute("ALTER ROLE postgres PASSWORD NULL");
			}
		}
	}
}
