package org.spgateway.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Appends chained events to {@code audit_event} with one binary {@code COPY} per batch (pgjdbc's CopyManager) on the writer's
 * transaction: no statement text of seven placeholders per row to build, bind and plan, and each value sent in PostgreSQL's own
 * binary form (the bytes, the timestamp and the search keys' array) rather than as text it parses. One instance per writer, used by
 * one batch at a time: it keeps its buffer, so a batch allocates no megabyte-sized array (a new one per batch, and its copy,
 * were each past G1's humongous threshold at 300 events, allocated outside the young generation the requests' garbage is in).
 */
final class AuditRows {

	private static final String COPY =
			"COPY audit_event (seq, event_id, recorded, prev_hash, hash, content, key_hashes, code_hashes, names) FROM STDIN (FORMAT binary)";
	private static final byte[] SIGNATURE = "PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1);
	/** PostgreSQL's binary timestamps count microseconds from 2000-01-01 UTC. */
	private static final Instant POSTGRES_EPOCH = Instant.parse("2000-01-01T00:00:00Z");
	private static final int TEXT_OID = 25;
	private static final int INT8_OID = 20;

	private final Buffer buffer = new Buffer(64 * 1024);

	/**
	 * One row of audit_event: the link ({@code seq}, {@code previous}, {@code hash}), the event's JSON as stored (UTF-8) and its keys
	 * ({@link AuditSearchKeys#columns}).
	 */
	record AuditRow(long seq, String eventId, Instant recorded, String previous, String hash, byte[] content, AuditSearchKeys.Columns keys) {}

	/** Sends the rows on the caller's transaction. */
	void copy(JdbcTemplate jdbc, List<AuditRow> rows) {
		int size = encode(rows);
		jdbc.execute((ConnectionCallback<Long>) connection -> {
			CopyIn in = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
			try {
				in.writeToCopy(buffer.array(), 0, size);
				return in.endCopy();
			} finally {
				if (in.isActive()) {
					in.cancelCopy();
				}
			}
		});
	}

	/** Writes the rows into the kept buffer, over the last batch; returns how many of {@link #bytes()} they take. */
	int encode(List<AuditRow> rows) {
		write(buffer, rows);
		return buffer.size();
	}

	/** The kept buffer: the last batch {@link #encode encoded}, then whatever an earlier, larger one left. */
	byte[] bytes() {
		return buffer.array();
	}

	/** A header, each row as its field count and each field's length and bytes, a trailer; written over what {@code out} held. */
	private static void write(Buffer out, List<AuditRow> rows) {
		out.clear();
		out.bytes(SIGNATURE);
		out.int32(0);
		out.int32(0);
		for (AuditRow row : rows) {
			out.int16(9);
			out.int32(8);
			out.int64(row.seq());
			out.text(row.eventId());
			out.int32(8);
			out.int64(ChronoUnit.MICROS.between(POSTGRES_EPOCH, row.recorded()));
			out.text(row.previous());
			out.text(row.hash());
			out.value(row.content());
			out.int64Array(row.keys().keyHashes());
			out.int64Array(row.keys().codeHashes());
			out.textArray(row.keys().names());
		}
		out.int16(-1);
	}

	/** A growing big-endian byte buffer, kept from batch to batch (DataOutputStream over a ByteArrayOutputStream took a lock per byte of every int). */
	private static final class Buffer {

		private ByteBuffer buffer;

		Buffer(int capacity) {
			buffer = ByteBuffer.allocate(capacity);
		}

		private void room(int n) {
			if (buffer.remaining() < n) {
				ByteBuffer larger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + n));
				buffer.flip();
				larger.put(buffer);
				buffer = larger;
			}
		}

		void int16(int v) {
			room(2);
			buffer.putShort((short) v);
		}

		void int32(int v) {
			room(4);
			buffer.putInt(v);
		}

		void int64(long v) {
			room(8);
			buffer.putLong(v);
		}

		void bytes(byte[] b) {
			room(b.length);
			buffer.put(b);
		}

		/** A text, varchar, char or bytea value: its UTF-8 bytes (bytea's binary form is the bytes themselves). */
		void text(String value) {
			value(value.getBytes(StandardCharsets.UTF_8));
		}

		/** A value's bytes in binary form, after their length. */
		void value(byte[] bytes) {
			int32(bytes.length);
			bytes(bytes);
		}

		/** A one-dimensional text[] without nulls: its size is known once its items are written. */
		void textArray(String[] values) {
			int sizeAt = arrayHeader(values.length, TEXT_OID);
			for (String value : values) {
				text(value);
			}
			buffer.putInt(sizeAt, buffer.position() - sizeAt - 4);
		}

		/** A one-dimensional bigint[] without nulls. */
		void int64Array(long[] values) {
			int sizeAt = arrayHeader(values.length, INT8_OID);
			for (long value : values) {
				int32(8);
				int64(value);
			}
			buffer.putInt(sizeAt, buffer.position() - sizeAt - 4);
		}

		/** An array's size (filled in by the caller), dimensions (none when empty), null flag and element type; where the size goes. */
		private int arrayHeader(int length, int elementType) {
			room(4);
			int sizeAt = buffer.position();
			buffer.putInt(0);
			int32(length == 0 ? 0 : 1);
			int32(0);
			int32(elementType);
			if (length > 0) {
				int32(length);
				int32(1);
			}
			return sizeAt;
		}

		void clear() {
			buffer.clear();
		}

		byte[] array() {
			return buffer.array();
		}

		int size() {
			return buffer.position();
		}
	}
}
