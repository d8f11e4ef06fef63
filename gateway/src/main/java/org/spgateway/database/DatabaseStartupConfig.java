package org.spgateway.database;

import javax.sql.DataSource;
import org.spgateway.config.GatewayProperties;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationStrategy;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What is checked on the database at every start, around the migrations: before them, that the gateway's
 * database user cannot run programs on the host ({@link DatabaseRole}); after them, that the database holds
 * data of the gateway's own mode ({@link DatabaseMode}). Everything else that touches the database waits for
 * the migrations, so it waits for these too.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DatabaseProperties.class)
public class DatabaseStartupConfig {

	@Bean
	FlywayMigrationStrategy checkedMigration(DataSource dataSource, DatabaseProperties database, GatewayProperties gateway) {
		return flyway -> {
			DatabaseRole.check(dataSource, database.isAllowSuperuser());
			flyway.migrate();
			DatabaseMode.check(new JdbcTemplate(dataSource), new TransactionTemplate(new DataSourceTransactionManager(dataSource)),
					gateway.isSandbox());
		};
	}
}
