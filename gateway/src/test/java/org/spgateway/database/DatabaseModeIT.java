package org.spgateway.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.TestDatabase;

/** Sandbox data and real data never share a database: the first gateway marks it, and a gateway in the other mode refuses it. */
class DatabaseModeIT {

	private static final String REFUSED_BY_SANDBOX = "Sandbox mode does not start on this database: it holds data of a gateway that"
			+ " was not in sandbox mode";
	private static final String PATIENT = "{\"resourceType\":\"Patient\",\"active\":true}";

	@Test
	void aGatewayForRealUseRefusesASandboxDatabase() {
		String url = TestDatabase.newDatabase();
		try (GatewayServer sandbox = GatewayServer.startOn(url, "gateway.sandbox=true")) {
			assertThat(Http.post(sandbox.baseUrl() + "/Patient", PATIENT).statusCode()).isEqualTo(201);
		}
		assertThatThrownBy(() -> GatewayServer.startOn(url).close()).rootCause()
				.hasMessageStartingWith("This database holds sandbox (demo) data, written by a gateway in sandbox mode");
		// The sandbox itself goes on starting there.
		GatewayServer.startOn(url, "gateway.sandbox=true").close();
	}

	@Test
	void sandboxModeRefusesADatabaseWithRealData() {
		String url = TestDatabase.newDatabase();
		try (GatewayServer real = GatewayServer.startOn(url)) {
			assertThat(Http.post(real.baseUrl() + "/Patient", PATIENT).statusCode()).isEqualTo(201);
		}
		assertThatThrownBy(() -> GatewayServer.startOn(url, "gateway.sandbox=true").close()).rootCause()
				.hasMessageStartingWith(REFUSED_BY_SANDBOX);
	}

	@Test
	void aDatabaseFromBeforeModesWereRecordedCountsAsRealDataWhenItHoldsAny() throws Exception {
		String url = TestDatabase.newDatabase();
		try (GatewayServer older = GatewayServer.startOn(url, "gateway.sandbox=true")) {
			assertThat(Http.post(older.baseUrl() + "/Patient", PATIENT).statusCode()).isEqualTo(201);
		}
		try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
			s.execute("DELETE FROM gateway_mode");
		}
		assertThatThrownBy(() -> GatewayServer.startOn(url, "gateway.sandbox=true").close()).rootCause()
				.hasMessageStartingWith(REFUSED_BY_SANDBOX);
		GatewayServer.startOn(url).close();
	}
}
