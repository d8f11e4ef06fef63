package org.spgateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point: a FHIR R4 gateway for social prescribing referrals, outcomes and feedback. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

	/** Java's limit on the size of a temporary direct buffer a thread keeps for its next channel read or write. */
	static final String MAX_CACHED_BUFFER_SIZE = "jdk.nio.maxCachedBufferSize";
	/** 256 KiB: request and response bodies pass through buffers far smaller; start-up's one-off large reads do not. */
	static final String GATEWAY_MAX_CACHED_BUFFER_SIZE = "262144";

	public static void main(String[] args) {
		capCachedDirectBuffers();
		SpringApplication.run(GatewayApplication.class, args);
	}

	/**
	 * Sets {@value #MAX_CACHED_BUFFER_SIZE} unless the command line did. Java copies a heap buffer written to or read
	 * from a channel through a temporary direct buffer of the same size, and by default keeps that buffer for the
	 * thread's next use, however large: the start-up's reads of a 27 MB and a 9.5 MB file left 36 MB of native memory
	 * held for the process's lifetime (heap dump and {@code jvm.buffer.memory.used}, docs/performance.md, "Memory,
	 * stop 15"). Larger buffers are now freed after use. Java reads the property once, when a channel first needs
	 * such a buffer, so this runs first in {@link #main}.
	 */
	static void capCachedDirectBuffers() {
		if (System.getProperty(MAX_CACHED_BUFFER_SIZE) == null) {
			System.setProperty(MAX_CACHED_BUFFER_SIZE, GATEWAY_MAX_CACHED_BUFFER_SIZE);
		}
	}
}
