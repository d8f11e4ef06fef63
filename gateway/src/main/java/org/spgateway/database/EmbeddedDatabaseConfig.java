package org.spgateway.database;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.config.GatewayProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With no {@code spring.datasource.url}, the gateway runs its own PostgreSQL from the zonky binaries,
 * keeping the cluster under {@code gateway.data-dir} so data survives restarts. A configured URL
 * switches this off and Spring Boot's ordinary DataSource takes over; the same Flyway migrations run
 * on both. {@link EmbeddedPostmaster} starts the server again if it stops while the gateway runs.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
public class EmbeddedDatabaseConfig {

	private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseConfig.class);

	@Bean(destroyMethod = "close")
	EmbeddedPostmaster embeddedPostgres(GatewayProperties properties) throws IOException {
		GatewayProperties.EmbeddedDb settings = properties.getEmbeddedDb();
		Path dataDir = properties.getDataDir().toAbsolutePath().normalize();
		Path clusterDir = dataDir.resolve("postgres");
		Path runtimeDir = dataDir.resolve("postgres-runtime");
		Files.createDirectories(clusterDir);
		Files.createDirectories(runtimeDir);
		StalePostmaster.stopIfRunning(clusterDir, settings.getStartupWait());
		EmbeddedCredentials credentials = EmbeddedCredentials.loadOrCreate(dataDir);
		log.info("Starting embedded PostgreSQL with its data in {}", clusterDir);
		EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
				.setDataDirectory(clusterDir)
				.setCleanDataDirectory(false)
				.setOverrideWorkingDirectory(runtimeDir.toFile())
				.setPort(settings.getPort() == 0 ? freePort() : settings.getPort())
				.setPGStartupWait(settings.getStartupWait())
				// zonky starts postgres with -F (fsync off); a later -c wins, so durability is restored here.
				.setServerConfig("fsync", settings.isFsync() ? "on" : "off")
				.setServerConfig("synchronous_commit", settings.isFsync() ? "on" : "off")
				.setServerConfig("full_page_writes", settings.isFsync() ? "on" : "off")
				.setServerConfig("max_connections", "200")
				.setServerConfig("listen_addresses", "localhost")
				// zonky checks the server is up by connecting as postgres, which needs its password once pg_hba asks for one.
				.setConnectConfig("password", credentials.adminPassword())
				// The gateway closes the server itself, after the application context has drained.
				.setRegisterShutdownHook(false);
		EmbeddedPostmaster postgres = new EmbeddedPostmaster(builder, clusterDir);
		try {
			EmbeddedRoles.secure(postgres.port(), settings.getDatabaseName(), credentials, clusterDir);
		} catch (RuntimeException e) {
			postgres.close();
			throw e;
		}
		log.info("Embedded PostgreSQL ready at {} (user {}, passwords in {})", postgres.jdbcUrl(settings.getDatabaseName()),
				EmbeddedRoles.ROLE, dataDir.resolve(EmbeddedCredentials.FILE));
		return postgres;
	}

	@Bean
	@ConfigurationProperties("spring.datasource.hikari")
	HikariDataSource dataSource(EmbeddedPostmaster postgres, GatewayProperties properties) {
		HikariDataSource dataSource = new HikariDataSource();
		// The port stays the same when the watch starts the server again, so this URL stays right.
		dataSource.setJdbcUrl(postgres.jdbcUrl(properties.getEmbeddedDb().getDatabaseName()));
		// The application role, never the superuser: SQL run by the gateway cannot run programs on the host.
		dataSource.setUsername(EmbeddedRoles.ROLE);
		dataSource.setPassword(EmbeddedCredentials.loadOrCreate(properties.getDataDir().toAbsolutePath().normalize()).gatewayPassword());
		return dataSource;
	}

	private static int freePort() throws IOException {
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}
}
