package org.spgateway.directory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code gateway.directory.*}: the service directory's seed files and cache. */
@ConfigurationProperties(prefix = "gateway.directory")
public class DirectoryProperties {

	/** The demo directory that {@code gateway.sandbox=true} seeds. */
	public static final String SANDBOX_SEED = "classpath:profiles/directory/sandbox-directory.json";

	/**
	 * FHIR JSON Bundles (or single resources) of Organizations, HealthcareServices, Endpoints,
	 * Practitioners and PractitionerRoles loaded at start-up, idempotently: a resource is created once,
	 * updated when its file changes, and never overwritten once changed through the API.
	 * {@code classpath:} locations are read from the jar; anything else is a filesystem path.
	 */
	private List<String> seedFiles = new ArrayList<>();

	/**
	 * How often an instance checks whether another instance changed the directory. A change made
	 * through this instance is seen at once.
	 */
	private Duration refreshInterval = Duration.ofSeconds(30);

	public List<String> getSeedFiles() {
		return seedFiles;
	}

	public void setSeedFiles(List<String> seedFiles) {
		this.seedFiles = seedFiles;
	}

	public Duration getRefreshInterval() {
		return refreshInterval;
	}

	public void setRefreshInterval(Duration refreshInterval) {
		this.refreshInterval = refreshInterval;
	}
}
