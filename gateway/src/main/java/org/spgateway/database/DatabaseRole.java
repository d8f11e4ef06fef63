package org.spgateway.database;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses to start when the gateway's database user could run programs or touch files on the database host:
 * a superuser, a member of a superuser role (it can SET ROLE to it), a role with CREATEROLE (it can grant itself
 * the roles below), or a member of {@code pg_execute_server_program} (COPY ... TO PROGRAM),
 * {@code pg_read_server_files} or {@code pg_write_server_files}. Checked at every start, before migrations.
 */
final class DatabaseRole {

	private static final Logger log = LoggerFactory.getLogger(DatabaseRole.class);

	private static final String PRIVILEGES = """
			SELECT current_user,
			       r.rolsuper,
			       EXISTS (SELECT 1 FROM pg_roles s WHERE s.rolsuper AND s.oid <> r.oid AND pg_has_role(r.oid, s.oid, 'MEMBER')),
			       r.rolcreaterole,
			       ARRAY(SELECT p FROM unnest(ARRAY['pg_execute_server_program', 'pg_read_server_files', 'pg_write_server_files']) p
			             WHERE EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = p) AND pg_has_role(r.oid, p, 'MEMBER'))::text
			FROM pg_roles r WHERE r.rolname = current_user""";

	private DatabaseRole() {}

	static void check(DataSource dataSource, boolean allowSuperuser) {
		List<String> powers = new ArrayList<>();
		String user;
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery(PRIVILEGES)) {
			if (!rs.next()) {
				return;
			}
			user = rs.getString(1);
			if (rs.getBoolean(2)) {
				powers.add("is a superuser");
			} else if (rs.getBoolean(3)) {
				powers.add("is a member of a superuser role");
			}
			if (rs.getBoolean(4) && !rs.getBoolean(2)) {
				powers.add("may create roles (CREATEROLE)");
			}
			String groups = rs.getString(5);
			if (groups != null && groups.length() > 2 && !rs.getBoolean(2)) {
				powers.add("is a member of " + groups.substring(1, groups.length() - 1).replace(",", ", "));
			}
		} catch (SQLException e) {
			throw new IllegalStateException("Could not read the database user's privileges: " + e.getMessage(), e);
		}
		if (powers.isEmpty()) {
			return;
		}
		String what = "The gateway's database user \"" + user + "\" " + String.join(" and ", powers)
				+ ". SQL run with such a role can run programs or read files on the database host (COPY ... TO PROGRAM)";
		if (allowSuperuser) {
			log.warn("{}; starting anyway because gateway.database.allow-superuser=true", what);
			return;
		}
		throw new DatabaseRefusal(what, "Connect as a role that owns the gateway's database and has none of these"
				+ " (docs/security.md#the-database-role), or set gateway.database.allow-superuser=true to start anyway.");
	}
}
