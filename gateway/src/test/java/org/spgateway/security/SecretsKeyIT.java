package org.spgateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spgateway.testsupport.GatewayServer;

/**
 * The secrets key at start-up: required for a gateway on an external database, generated once and kept beside
 * the data by a sandbox and by the embedded default.
 */
class SecretsKeyIT {

	@Test
	void withoutAKeyOnAnExternalDatabaseTheGatewayDoesNotStartAndSaysWhatToDo() {
		assertThatThrownBy(() -> GatewayServer.start("gateway.secrets.key="))
				.rootCause().hasMessageContaining("gateway.secrets.key is not set").hasMessageContaining("openssl rand -base64 32");
	}

	@Test
	void theReadmesEmbeddedStartWithoutAKeyGeneratesAnOwnerOnlyKeyBesideItsData(@TempDir Path dataDir) throws Exception {
		try (GatewayServer gateway = GatewayServer.startEmbedded(dataDir, "gateway.secrets.key=")) {
			assertThat(gateway.baseUrl()).isNotBlank();
		}
		Path key = dataDir.resolve("secrets.key");
		assertThat(key).exists();
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
	}

	@Test
	void aMalformedKeyStopsStartUpWithoutQuotingIt() {
		assertThatThrownBy(() -> GatewayServer.start("gateway.secrets.key=c2hvcnQ="))
				.rootCause().hasMessageContaining("must be 32 bytes").hasMessageNotContaining("c2hvcnQ=");
	}

	@Test
	void aSandboxWithoutAKeyGeneratesOneAndKeepsItInItsDataDirectory(@TempDir Path dataDir) throws Exception {
		try (GatewayServer gateway = GatewayServer.start("gateway.secrets.key=", "gateway.sandbox=true", "gateway.data-dir=" + dataDir)) {
			assertThat(gateway.baseUrl()).isNotBlank();
		}
		Path key = dataDir.resolve("sandbox-secrets.key");
		assertThat(key).exists();
		String first = Files.readString(key);
		try (GatewayServer again = GatewayServer.start("gateway.secrets.key=", "gateway.sandbox=true", "gateway.data-dir=" + dataDir)) {
			assertThat(Files.readString(key)).isEqualTo(first);
		}
	}
}
