package org.spgateway.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.SharedGateway;
import org.spgateway.testsupport.TestDatabase;

/**
 * The gateway connects to an external PostgreSQL as a role that cannot run programs on the database host, and
 * refuses to start as one that could, unless told to.
 */
class DatabaseRoleIT {

	@Test
	void theGatewaysConnectionIsNotASuperuserAndCannotRunPrograms() throws Exception {
		assertCannotRunPrograms(SharedGateway.get().bean(DataSource.class));
	}

	@Test
	void aSuperuserIsRefusedAtStartUpInPlainWords() {
		String url = TestDatabase.asSuperuser(TestDatabase.newDatabase());
		assertThatThrownBy(() -> GatewayServer.startOn(url).close()).rootCause()
				.hasMessageStartingWith("The gateway's database user \"postgres\" is a superuser. SQL run with such a role can run programs")
				.hasMessageContaining("gateway.database.allow-superuser=true");
	}

	@Test
	void aSuperuserIsAcceptedWhenTheOperatorSaysSo() {
		String url = TestDatabase.asSuperuser(TestDatabase.newDatabase());
		try (GatewayServer gateway = GatewayServer.startOn(url, "gateway.database.allow-superuser=true")) {
			assertThat(gateway.port()).isPositive();
		}
	}

	@Test
	void aRoleThatCouldGiveItselfMorePowerIsRefused() throws Exception {
		String url = TestDatabase.newDatabase();
		String role = url.replaceAll(".*\\?user=([^&]+).*", "$1");
		try (Connection admin = DriverManager.getConnection(TestDatabase.asSuperuser(url)); Statement s = admin.createStatement()) {
			s.execute("ALTER ROLE " + role + " CREATEROLE");
			s.execute("GRANT pg_execute_server_program TO " + role);
		}
		assertThatThrownBy(() -> GatewayServer.startOn(url).close()).rootCause()
				.hasMessageStartingWith("The gateway's database user \"" + role + "\" may create roles (CREATEROLE) and is a member of"
						+ " pg_execute_server_program.");
	}

	static void assertCannotRunPrograms(DataSource dataSource) throws SQLException {
		try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
			try (ResultSet rs = s.executeQuery("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user")) {
				assertThat(rs.next()).isTrue();
				assertThat(rs.getBoolean(1)).as("superuser").isFalse();
				assertThat(rs.getBoolean(2)).as("createrole").isFalse();
			}
			assertThatThrownBy(() -> s.execute("COPY (SELECT 1) TO PROGRAM 'true'")).isInstanceOf(SQLException.class)
					.satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
		}
	}
}
