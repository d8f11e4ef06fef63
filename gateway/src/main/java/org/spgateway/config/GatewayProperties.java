package org.spgateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Every {@code gateway.*} setting, with its default. docs/configuration.md describes each one; keep the
 * two in step.
 */
@ConfigurationProperties(prefix = "gateway")
public class GatewayProperties {

	/** Where the embedded database (and anything else the gateway keeps on disk) lives. */
	private Path dataDir = Path.of("data");

	/** Explicitly named demo mode: seeds the demo directory. Never on by default. */
	private boolean sandbox = false;

	/**
	 * The base URL callers use to reach the FHIR endpoint (e.g. https://gateway.example.nhs.uk/fhir),
	 * used in Location headers and Bundle links. Unset: taken from each incoming request.
	 */
	private String publicBaseUrl;

	/**
	 * Stops the gateway, cleanly (the embedded PostgreSQL with it), as soon as it is ready: for a class data sharing
	 * training run, which records the classes start-up loads when the JVM exits (the build's, docs/operations.md).
	 */
	private boolean exitWhenReady = false;

	private final EmbeddedDb embeddedDb = new EmbeddedDb();
	private final Conformance conformance = new Conformance();
	private final Limits limits = new Limits();
	private final Search search = new Search();
	private final Validation validation = new Validation();

	public Path getDataDir() {
		return dataDir;
	}

	public void setDataDir(Path dataDir) {
		this.dataDir = dataDir;
	}

	public boolean isSandbox() {
		return sandbox;
	}

	public void setSandbox(boolean sandbox) {
		this.sandbox = sandbox;
	}

	public String getPublicBaseUrl() {
		return publicBaseUrl;
	}

	public void setPublicBaseUrl(String publicBaseUrl) {
		this.publicBaseUrl = publicBaseUrl;
	}

	public boolean isExitWhenReady() {
		return exitWhenReady;
	}

	public void setExitWhenReady(boolean exitWhenReady) {
		this.exitWhenReady = exitWhenReady;
	}

	public EmbeddedDb getEmbeddedDb() {
		return embeddedDb;
	}

	public Conformance getConformance() {
		return conformance;
	}

	public Limits getLimits() {
		return limits;
	}

	public Search getSearch() {
		return search;
	}

	public Validation getValidation() {
		return validation;
	}

	public static class EmbeddedDb {
		/** TCP port of the embedded PostgreSQL; 0 picks a free one at each start. */
		private int port = 0;
		/** Keep fsync on so that an acknowledged write survives a power cut; tests may turn it off. */
		private boolean fsync = true;
		private String databaseName = "gateway";
		private Duration startupWait = Duration.ofSeconds(60);

		public int getPort() {
			return port;
		}

		public void setPort(int port) {
			this.port = port;
		}

		public boolean isFsync() {
			return fsync;
		}

		public void setFsync(boolean fsync) {
			this.fsync = fsync;
		}

		public String getDatabaseName() {
			return databaseName;
		}

		public void setDatabaseName(String databaseName) {
			this.databaseName = databaseName;
		}

		public Duration getStartupWait() {
			return startupWait;
		}

		public void setStartupWait(Duration startupWait) {
			this.startupWait = startupWait;
		}
	}

	public static class Conformance {
		/**
		 * Folders of FHIR JSON conformance resources, loaded in order at start-up. {@code classpath:}
		 * locations are read from the jar; anything else is a filesystem path.
		 */
		private List<String> locations = new ArrayList<>(List.of("classpath:profiles", "classpath:mappings"));
		/** Extra folders appended after {@link #locations}, e.g. a site's own questionnaires. */
		private List<String> additionalLocations = new ArrayList<>();

		public List<String> getLocations() {
			return locations;
		}

		public void setLocations(List<String> locations) {
			this.locations = locations;
		}

		public List<String> getAdditionalLocations() {
			return additionalLocations;
		}

		public void setAdditionalLocations(List<String> additionalLocations) {
			this.additionalLocations = additionalLocations;
		}
	}

	public static class Limits {
		/** Largest request body accepted, in bytes. */
		private long maxBodyBytes = 5L * 1024 * 1024;
		/** Most entries in one Bundle (transaction, batch or message). */
		private int maxBundleEntries = 500;
		/** Deepest JSON object/array (or XML element) nesting accepted. */
		private int maxNestingDepth = 64;
		/** How many Bundles may be nested inside one another (1 = no Bundle inside a Bundle entry). */
		private int maxBundleNesting = 2;
		/**
		 * Longest time one FHIR request may hold a worker and the database: each SQL statement's timeout is
		 * what remains of it, and no statement or validation starts after it. Over budget is 503.
		 */
		private Duration requestTimeout = Duration.ofSeconds(30);

		public Duration getRequestTimeout() {
			return requestTimeout;
		}

		public void setRequestTimeout(Duration requestTimeout) {
			this.requestTimeout = requestTimeout;
		}

		public long getMaxBodyBytes() {
			return maxBodyBytes;
		}

		public void setMaxBodyBytes(long maxBodyBytes) {
			this.maxBodyBytes = maxBodyBytes;
		}

		public int getMaxBundleEntries() {
			return maxBundleEntries;
		}

		public void setMaxBundleEntries(int maxBundleEntries) {
			this.maxBundleEntries = maxBundleEntries;
		}

		public int getMaxNestingDepth() {
			return maxNestingDepth;
		}

		public void setMaxNestingDepth(int maxNestingDepth) {
			this.maxNestingDepth = maxNestingDepth;
		}

		public int getMaxBundleNesting() {
			return maxBundleNesting;
		}

		public void setMaxBundleNesting(int maxBundleNesting) {
			this.maxBundleNesting = maxBundleNesting;
		}
	}

	public static class Search {
		private int defaultPageSize = 20;
		private int maxPageSize = 500;
		/** Most resources one page may pull in through _include/_revinclude. */
		private int maxIncludes = 1000;
		/** How many rounds of :iterate are followed. */
		private int maxIncludeIterations = 5;
		/** Resources re-indexed per transaction after a restart that changed search parameters. */
		private int reindexBatchSize = 500;

		public int getReindexBatchSize() {
			return reindexBatchSize;
		}

		public void setReindexBatchSize(int reindexBatchSize) {
			this.reindexBatchSize = reindexBatchSize;
		}

		public int getDefaultPageSize() {
			return defaultPageSize;
		}

		public void setDefaultPageSize(int defaultPageSize) {
			this.defaultPageSize = defaultPageSize;
		}

		public int getMaxPageSize() {
			return maxPageSize;
		}

		public void setMaxPageSize(int maxPageSize) {
			this.maxPageSize = maxPageSize;
		}

		public int getMaxIncludes() {
			return maxIncludes;
		}

		public void setMaxIncludes(int maxIncludes) {
			this.maxIncludes = maxIncludes;
		}

		public int getMaxIncludeIterations() {
			return maxIncludeIterations;
		}

		public void setMaxIncludeIterations(int maxIncludeIterations) {
			this.maxIncludeIterations = maxIncludeIterations;
		}
	}

	public static class Validation {
		/** Reusable validator instances; validation is CPU-bound, so about one per core is enough. */
		private int poolSize = Math.max(2, Runtime.getRuntime().availableProcessors());
		/**
		 * How long start-up spends validating the conformance resources over and over so that the JIT has
		 * compiled the validator before the first request (validation is several times slower until then).
		 */
		private Duration warmUp = Duration.ofSeconds(5);

		public Duration getWarmUp() {
			return warmUp;
		}

		public void setWarmUp(Duration warmUp) {
			this.warmUp = warmUp;
		}

		public int getPoolSize() {
			return poolSize;
		}

		public void setPoolSize(int poolSize) {
			this.poolSize = poolSize;
		}
	}
}
