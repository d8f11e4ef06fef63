package org.spgateway.database;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code gateway.database.*}: the role the gateway connects to PostgreSQL as (docs/security.md#the-database-role). */
@ConfigurationProperties(prefix = "gateway.database")
public class DatabaseProperties {

	/**
	 * Start although the configured database user is a superuser (or may act as one). Off: SQL run as a
	 * superuser can run programs and read files on the database host, so a single injected statement would
	 * be the whole host. It exists for a managed service whose only login is privileged, or a developer's
	 * throw-away database, where the operator accepts that.
	 */
	private boolean allowSuperuser = false;

	public boolean isAllowSuperuser() {
		return allowSuperuser;
	}

	public void setAllowSuperuser(boolean allowSuperuser) {
		this.allowSuperuser = allowSuperuser;
	}
}
