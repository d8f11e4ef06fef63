package org.spgateway.access;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.spgateway.security.AccessPolicy;
import org.spgateway.store.LocalReference;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The table {@code resource_access}: which organisations may see each stored resource. Written inside the
 * transaction that stores the resource, one statement per stored version whatever the grants; only added to.
 */
public class AccessRecords {

	/**
	 * One INSERT: the keys granted directly plus those of the resources inherited from, onto this resource and the
	 * resources it shares with. Resources are named by (type, id) and found through the resource table's unique key.
	 */
	private static final String WRITE = """
			WITH k(org_key) AS (
			  SELECT unnest(?::text[])
			  UNION
			  SELECT a.org_key FROM unnest(?::text[], ?::text[]) AS i(res_type, res_id)
			    JOIN resource t ON t.res_type = i.res_type AND t.res_id = i.res_id
			    JOIN resource_access a ON a.res_pk = t.res_pk
			), p(res_pk) AS (
			  SELECT ?::bigint
			  UNION
			  SELECT t.res_pk FROM unnest(?::text[], ?::text[]) AS s(res_type, res_id)
			    JOIN resource t ON t.res_type = s.res_type AND t.res_id = s.res_id
			)
			INSERT INTO resource_access (res_pk, org_key) SELECT p.res_pk, k.org_key FROM p, k ON CONFLICT DO NOTHING
			""";

	private final JdbcTemplate jdbc;

	public AccessRecords(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** Records what a stored version grants; nothing when it grants nothing. */
	public void write(long pk, ResourceAccess.Grants grants) {
		if (grants.organisations().isEmpty() && grants.inheritFrom().isEmpty()) {
			return;
		}
		String[][] inherit = split(grants.inheritFrom());
		String[][] share = split(grants.shareWith());
		jdbc.update(WRITE, grants.organisations().toArray(new String[0]), inherit[0], inherit[1], pk, share[0], share[1]);
	}

	/** Grants organisations access to one resource (e.g. the client that sent a Patient already on record). */
	public void grant(long pk, Collection<String> organisations) {
		if (!organisations.isEmpty()) {
			jdbc.update("INSERT INTO resource_access (res_pk, org_key) SELECT ?, unnest(?::text[]) ON CONFLICT DO NOTHING", pk,
					organisations.toArray(new String[0]));
		}
	}

	/** The keys recorded for a resource, in no particular order. */
	public Set<String> keysOf(long pk) {
		return Set.copyOf(jdbc.queryForList("SELECT org_key FROM resource_access WHERE res_pk = ?", String.class, pk));
	}

	/** Whether a resource has a row for any of the keys. */
	public boolean anyOf(long pk, Collection<String> keys) {
		return !keys.isEmpty() && !jdbc.queryForList("SELECT 1 FROM resource_access WHERE res_pk = ? AND org_key = ANY(?::text[]) LIMIT 1",
				pk, keys.toArray(new String[0])).isEmpty();
	}

	/**
	 * Whether a Subscription's owner may read a stored resource: its owner rows (organisations and reach markers,
	 * see AccessPolicy.ownerKeys) and whether the resource is granted to one of them, in one query.
	 */
	public boolean ownerMayRead(String subscriptionId, long pk, String type) {
		return Boolean.TRUE.equals(jdbc.query("SELECT array_agg(o.org_key), coalesce(bool_or(EXISTS (SELECT 1 FROM resource_access a"
				+ " WHERE a.res_pk = ? AND a.org_key = o.org_key)), false) FROM resource s JOIN resource_access o ON o.res_pk = s.res_pk"
				+ " WHERE s.res_type = 'Subscription' AND s.res_id = ?", rs -> {
					if (!rs.next() || rs.getArray(1) == null) {
						return false;
					}
					Set<String> owner = Set.of((String[]) rs.getArray(1).getArray());
					return AccessPolicy.ownerMayRead(owner, type, rs.getBoolean(2));
				}, pk, subscriptionId));
	}

	/** Two parallel arrays (types, ids) of {@code Type/id} references. */
	private static String[][] split(Set<String> references) {
		List<String> types = new ArrayList<>();
		List<String> ids = new ArrayList<>();
		for (String reference : references) {
			LocalReference local = LocalReference.parse(reference);
			if (local != null) {
				types.add(local.type());
				ids.add(local.id());
			}
		}
		return new String[][] {types.toArray(new String[0]), ids.toArray(new String[0])};
	}
}
