package org.spgateway.audit;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Walks the hash chain in sequence order and recomputes every link from the AuditEvent as stored in
 * {@code audit_event} (what the API serves), stopping at the first link that does not hold: a missing
 * sequence number, a previous hash that is not the hash before it, an event changed since it was sealed,
 * an event that is gone, or a head that does not end where the chain does. {@code changed_versions} is set
 * only for events that had been changed in the resource store before the trail moved to its own table.
 */
public class AuditChainVerifier {

	private final JdbcTemplate jdbc;
	private final int pageSize;

	public AuditChainVerifier(JdbcTemplate jdbc, int pageSize) {
		this.jdbc = jdbc;
		this.pageSize = pageSize;
	}

	/** The verdict: how many links were checked between which sequence numbers, and the first broken one if any. */
	public record Verdict(boolean valid, long checked, long from, long to, long head, Broken broken) {}

	/** The first broken link: its sequence number, its AuditEvent's id (null when the link itself is missing) and what differs. */
	public record Broken(long sequence, String eventId, String problem) {}

	record Row(long seq, String eventId, String prevHash, String hash, Integer version, String content) {}

	/** Verifies links {@code from} to {@code to} (inclusive; null for the first and the last). */
	public Verdict verify(Long from, Long to) {
		Map<String, Object> headRow = jdbc.queryForMap("SELECT seq, hash FROM audit_chain_head WHERE id = 1");
		long head = ((Number) headRow.get("seq")).longValue();
		String headHash = ((String) headRow.get("hash")).trim();
		long first = from == null ? 1 : Math.max(1, from);
		long last = to == null ? head : Math.min(to, head);
		String previous;
		if (first == 1) {
			previous = AuditChain.GENESIS;
		} else {
			List<String> before = jdbc.queryForList("SELECT hash FROM audit_event WHERE seq = ?", String.class, first - 1);
			if (before.isEmpty()) {
				return new Verdict(false, 0, first, last, head, new Broken(first - 1, null,
						"Link " + (first - 1) + ", which the range starts after, is missing from the chain"));
			}
			previous = before.get(0).trim();
		}
		long expected = first;
		long checked = 0;
		while (expected <= last) {
			List<Row> page = page(expected, last);
			if (page.isEmpty()) {
				return broken(checked, first, last, head, expected, null, "Link " + expected + " is missing: the chain ends at " + (expected - 1)
						+ " but its head says " + head);
			}
			for (Row row : page) {
				if (row.seq() != expected) {
					return broken(checked, first, last, head, expected, null, "Link " + expected + " is missing: the chain jumps from "
							+ (expected - 1) + " to " + row.seq());
				}
				String problem = problem(row, previous);
				if (problem != null) {
					return broken(checked, first, last, head, row.seq(), row.eventId(), problem);
				}
				previous = row.hash().trim();
				checked++;
				expected++;
			}
		}
		if (to == null && last == head && last > 0 && !previous.equals(headHash)) {
			return broken(checked, first, last, head, last, null, "The chain's head records a different hash for link " + last
					+ " than the link itself");
		}
		return new Verdict(true, checked, first, last, head, null);
	}

	private static Verdict broken(long checked, long first, long last, long head, long seq, String eventId, String problem) {
		return new Verdict(false, checked, first, last, head, new Broken(seq, eventId, problem));
	}

	/** What is wrong with one link, or null. */
	static String problem(Row row, String previous) {
		String prev = row.prevHash().trim();
		String hash = row.hash().trim();
		if (!prev.equals(previous)) {
			return "Its recorded previous hash " + prev + " is not the hash of link " + (row.seq() - 1) + " (" + previous + ")";
		}
		if (row.content() == null) {
			return "AuditEvent/" + row.eventId() + " is missing: the chain has its link but not the event";
		}
		if (row.version() != null && row.version() != 1) {
			return "AuditEvent/" + row.eventId() + " has been changed: it has version " + row.version() + ", an audit event only ever has 1";
		}
		AuditChain.Link link;
		String canonical;
		try {
			link = AuditChain.linkOf(row.content());
			canonical = AuditChain.canonical(row.content());
		} catch (IllegalArgumentException e) {
			return "AuditEvent/" + row.eventId() + " as stored is not valid JSON";
		}
		if (link == null) {
			return "AuditEvent/" + row.eventId() + " has lost its chain extension";
		}
		if (link.sequence() == null || link.sequence().compareTo(BigDecimal.valueOf(row.seq())) != 0) {
			return "AuditEvent/" + row.eventId() + " says it is link " + link.sequence() + ", the chain has it as " + row.seq();
		}
		if (!prev.equals(link.previous())) {
			return "AuditEvent/" + row.eventId() + " names previous hash " + link.previous() + ", the chain records " + prev;
		}
		String computed = AuditChain.hash(prev, canonical);
		if (!computed.equals(hash)) {
			return "AuditEvent/" + row.eventId() + " has been changed since it was recorded: its content hashes to " + computed
					+ ", the chain records " + hash;
		}
		if (!hash.equals(link.hash())) {
			return "AuditEvent/" + row.eventId() + " carries hash " + link.hash() + ", the chain records " + hash;
		}
		return null;
	}

	private List<Row> page(long from, long to) {
		List<Row> rows = new ArrayList<>();
		jdbc.query("SELECT seq, event_id, prev_hash, hash, changed_versions, content FROM audit_event"
				+ " WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?", rs -> {
					byte[] content = rs.getBytes(6);
					rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), (Integer) rs.getObject(5),
							content == null ? null : new String(content, StandardCharsets.UTF_8)));
				}, from, to, pageSize);
		return rows;
	}
}
