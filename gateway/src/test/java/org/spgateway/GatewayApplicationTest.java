package org.spgateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the entry point sets before Spring starts. */
class GatewayApplicationTest {

	private String before;

	@BeforeEach
	void rememberTheProperty() {
		before = System.getProperty(GatewayApplication.MAX_CACHED_BUFFER_SIZE);
	}

	@AfterEach
	void restoreTheProperty() {
		if (before == null) {
			System.clearProperty(GatewayApplication.MAX_CACHED_BUFFER_SIZE);
		} else {
			System.setProperty(GatewayApplication.MAX_CACHED_BUFFER_SIZE, before);
		}
	}

	@Test
	void temporaryDirectBuffersOver256KibAreNotKeptUnlessTheCommandLineSaysOtherwise() {
		System.clearProperty(GatewayApplication.MAX_CACHED_BUFFER_SIZE);

		GatewayApplication.capCachedDirectBuffers();

		assertThat(System.getProperty(GatewayApplication.MAX_CACHED_BUFFER_SIZE)).isEqualTo("262144");
	}

	@Test
	void aLimitGivenOnTheCommandLineIsKept() {
		System.setProperty(GatewayApplication.MAX_CACHED_BUFFER_SIZE, "1048576");

		GatewayApplication.capCachedDirectBuffers();

		assertThat(System.getProperty(GatewayApplication.MAX_CACHED_BUFFER_SIZE)).isEqualTo("1048576");
	}
}
