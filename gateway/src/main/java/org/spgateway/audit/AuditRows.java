package org.spgateway.audit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.postgresql.PGConnection;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Appends chained events to {@code audit_event} with one binary {@code COPY} per batch (pgjdbc's CopyManager) on the writer's
 * transaction: no statement text of seven placeholders per row to build, bind and plan, and each value sent in PostgreSQL's own
 * binary form (the bytes, the timestamp and the search keys' array) rather than as text it parses.
 */
final class AuditRows {

	private static final String COPY = "COPY audit_event (seq, event_id, recorded, prev_hash, hash, content, search_keys) FROM STDIN (FORMAT binary)";
	private static final byte[] SIGNATURE = "PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1);
	/** PostgreSQL's binary timestamps count microseconds from 2000-01-01 UTC. */
	private static final Instant POSTGRES_EPOCH = Instant.parse("2000-01-01T00:00:00Z");
	private static final int TEXT_OID = 25;

	private AuditRows() {}

	/** One row of audit_event: the link ({@code seq}, {@code previous}, {@code hash}), the event's JSON as stored and its keys. */
	record AuditRow(long seq, String eventId, Instant recorded, String previous, String hash, String content, String[] keys) {}

	static void copy(JdbcTemplate jdbc, List<AuditRow> rows) {
		byte[] data = binary(rows);
		jdbc.execute((ConnectionCallback<Long>) connection -> {
			try {
				return connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY, new ByteArrayInputStream(data));
			} catch (IOException e) {
				throw new UncheckedIOException("Reading from memory does not fail", e);
			}
		});
	}

	/** The rows in COPY's binary format: a header, each row as its field count and each field's length and bytes, a trailer. */
	static byte[] binary(List<AuditRow> rows) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(rows.size() * 2048 + 32);
		DataOutputStream out = new DataOutputStream(bytes);
		try {
			out.write(SIGNATURE);
			out.writeInt(0);
			out.writeInt(0);
			for (AuditRow row : rows) {
				out.writeShort(7);
				out.writeInt(8);
				out.writeLong(row.seq());
				text(out, row.eventId());
				out.writeInt(8);
				out.writeLong(ChronoUnit.MICROS.between(POSTGRES_EPOCH, row.recorded()));
				text(out, row.previous());
				text(out, row.hash());
				text(out, row.content());
				textArray(out, row.keys());
			}
			out.writeShort(-1);
			out.flush();
		} catch (IOException e) {
			throw new UncheckedIOException("Writing to memory does not fail", e);
		}
		return bytes.toByteArray();
	}

	/** A text, varchar, char or bytea value: its UTF-8 bytes (bytea's binary form is the bytes themselves). */
	private static void text(DataOutputStream out, String value) throws IOException {
		byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
		out.writeInt(utf8.length);
		out.write(utf8);
	}

	/** A one-dimensional text[] without nulls (an empty one has no dimensions). */
	private static void textArray(DataOutputStream out, String[] values) throws IOException {
		byte[][] items = new byte[values.length][];
		int size = 12 + (values.length == 0 ? 0 : 8);
		for (int i = 0; i < values.length; i++) {
			items[i] = values[i].getBytes(StandardCharsets.UTF_8);
			size += 4 + items[i].length;
		}
		out.writeInt(size);
		out.writeInt(values.length == 0 ? 0 : 1);
		out.writeInt(0);
		out.writeInt(TEXT_OID);
		if (values.length > 0) {
			out.writeInt(values.length);
			out.writeInt(1);
		}
		for (byte[] item : items) {
			out.writeInt(item.length);
			out.write(item);
		}
	}
}
