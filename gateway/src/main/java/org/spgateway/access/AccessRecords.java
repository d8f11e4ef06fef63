package org.spgateway.access;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.spgateway.security.AccessPolicy;
import org.spgateway.store.LocalReference;
import org.spgateway.store.TransactionWrites;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The table {@code resource_access}: which organisations may see each stored resource. Written inside the
 * transaction that stores the resource, one statement per stored version whatever the grants; only added to.
 */
public class AccessRecords {

	/**
	 * One INSERT: the keys granted directly plus those of the resources inherited from, onto this resource and the
	 * resources it shares with. Resources are named by (type, id) and found through the resource table's unique key,
	 * or, when written earlier in the same transaction (not visible to a sibling part of the combined write), by key.
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
			  UNION
			  SELECT unnest(?::bigint[])
			)
			INSERT INTO resource_access (res_pk, org_key) SELECT p.res_pk, k.org_key FROM p, k ON CONFLICT DO NOTHING
			""";

	/** Subscriptions remembered with their owner's keys: far more than a gateway has. */
	private static final int MAX_OWNERS = 10_000;

	private final JdbcTemplate jdbc;
	private final Map<String, Set<String>> owners = new ConcurrentHashMap<>();

	public AccessRecords(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Records what a stored version grants; nothing when it grants nothing. The insert joins the transaction's
	 * combined write ({@link TransactionWrites}), whose parts cannot see each other's rows: what this
	 * transaction has granted so far is therefore kept here too ({@link Granted}), and a grant inherited from or
	 * shared with a resource written earlier in the transaction is resolved from it instead of from the table.
	 */
	public void write(long pk, String reference, ResourceAccess.Grants grants) {
		if (grants.organisations().isEmpty() && grants.inheritFrom().isEmpty()) {
			return;
		}
		Map<String, Granted> granted = granted();
		Set<String> organisations = new LinkedHashSet<>(grants.organisations());
		Set<String> inheritFrom = new LinkedHashSet<>(grants.inheritFrom());
		for (String from : grants.inheritFrom()) {
			Granted earlier = granted.get(from);
			if (earlier != null) {
				organisations.addAll(earlier.organisations);
				inheritFrom.addAll(earlier.inheritFrom);
			}
		}
		List<Long> sharedPks = new ArrayList<>();
		Set<String> shareWith = new LinkedHashSet<>();
		for (String with : grants.shareWith()) {
			Granted earlier = granted.get(with);
			if (earlier != null) {
				sharedPks.add(earlier.pk);
				earlier.organisations.addAll(organisations);
				earlier.inheritFrom.addAll(inheritFrom);
			} else {
				shareWith.add(with);
			}
		}
		Granted mine = granted.computeIfAbsent(reference, r -> new Granted(pk));
		mine.organisations.addAll(organisations);
		mine.inheritFrom.addAll(inheritFrom);
		String[][] inherit = split(inheritFrom);
		String[][] share = split(shareWith);
		TransactionWrites.send(jdbc, WRITE, organisations.toArray(new String[0]), inherit[0], inherit[1], pk, share[0], share[1],
				sharedPks.toArray(new Long[0]));
	}

	/** Grants organisations access to one resource (e.g. the client that sent a Patient already on record). */
	public void grant(long pk, Collection<String> organisations) {
		if (!organisations.isEmpty()) {
			TransactionWrites.send(jdbc, "INSERT INTO resource_access (res_pk, org_key) SELECT ?, unnest(?::text[]) ON CONFLICT DO NOTHING", pk,
					organisations.toArray(new String[0]));
		}
	}

	/**
	 * Whether this transaction has granted one of {@code keys} on the resource {@code pk} (directly or by what it
	 * inherited from resources written in the same transaction), as far as it can tell without reading the table.
	 */
	boolean grantedHere(long pk, Collection<String> keys) {
		TransactionWrites writes = TransactionWrites.current();
		if (writes == null) {
			return false;
		}
		Map<String, Granted> granted = writes.attribute(Granted.class, LinkedHashMap::new);
		return granted.values().stream().anyMatch(g -> g.pk == pk && keys.stream().anyMatch(g.organisations::contains));
	}

	private Map<String, Granted> granted() {
		TransactionWrites writes = TransactionWrites.current();
		return writes == null ? new LinkedHashMap<>() : writes.attribute(Granted.class, LinkedHashMap::new);
	}

	/** What the current transaction granted one resource: organisation keys, and the resources (in the table) it inherits from. */
	private static final class Granted {
		final long pk;
		final Set<String> organisations = new LinkedHashSet<>();
		final Set<String> inheritFrom = new LinkedHashSet<>();

		Granted(long pk) {
			this.pk = pk;
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
	 * Whether a Subscription's owner may read a stored resource. The owner's keys (organisations and reach markers, see
	 * AccessPolicy.ownerKeys) are recorded when the Subscription is created and never change, so they are read once and
	 * remembered; whether the resource is granted to one of them is answered from what this transaction granted when it
	 * can be (a provider's own Task), else from the table (which first sends the transaction's held writes).
	 */
	public boolean ownerMayRead(String subscriptionId, long pk, String type) {
		Set<String> owner = owners.get(subscriptionId);
		if (owner == null) {
			owner = Set.copyOf(jdbc.queryForList("SELECT o.org_key FROM resource s JOIN resource_access o ON o.res_pk = s.res_pk"
					+ " WHERE s.res_type = 'Subscription' AND s.res_id = ?", String.class, subscriptionId));
			if (owner.isEmpty()) {
				// No owner rows: an owner nobody knows is told nothing (and nothing is remembered).
				return false;
			}
			if (owners.size() < MAX_OWNERS) {
				owners.put(subscriptionId, owner);
			}
		}
		if (AccessPolicy.ownerMayRead(owner, type, false) || grantedHere(pk, owner)) {
			return true;
		}
		return AccessPolicy.ownerMayRead(owner, type, anyOf(pk, owner));
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
