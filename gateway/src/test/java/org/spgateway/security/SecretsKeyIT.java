package org.spgateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spgateway.testsupport.GatewayServer;

/** The secrets key at start-up: required outside the sandbox, generated once and kept by a sandbox. */
class SecretsKeyIT {

	@Test
	void withoutAKeyOutsideTheSandboxTheGatewayDoesNotStartAndSaysWhatToDo() {
		assertThatThrownBy(() -> GatewayServer.start("gateway.secrets.key="))
				.rootCause().hasMessageContaining("gateway.secrets.key is not set").hasMessageContaining("openssl rand -base64 32");
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
