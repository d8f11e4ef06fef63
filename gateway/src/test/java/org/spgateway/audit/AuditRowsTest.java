package org.spgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditRowsTest {

	private static List<AuditRows.AuditRow> rows(int n, int contentSize) {
		List<AuditRows.AuditRow> rows = new ArrayList<>();
		for (int i = 1; i <= n; i++) {
			String content = "{\"resourceType\":\"AuditEvent\",\"id\":\"" + i + "\",\"pad\":\"" + "é".repeat(contentSize) + "\"}";
			String[] keys = {"entity=Task/" + i, "outcome=0", "agent-name=demo-gp", "subtype=read"};
			rows.add(new AuditRows.AuditRow(i, AuditIds.next(), Instant.parse("2026-12-05T14:00:00.123Z"), "0".repeat(64),
					Integer.toHexString(i).repeat(8), content.getBytes(StandardCharsets.UTF_8), AuditSearchKeys.columns(keys)));
		}
		return rows;
	}

	@Test
	void aSmallBatchAfterALargeOneIsWrittenExactlyAsOnItsOwn() {
		AuditRows kept = new AuditRows();
		kept.encode(rows(300, 3000));
		List<AuditRows.AuditRow> small = rows(2, 10);

		int size = kept.encode(small);

		assertThat(Arrays.copyOf(kept.bytes(), size)).isEqualTo(binary(small));
	}

	@Test
	void aBatchIsCopysBinaryFormatFromSignatureToTrailer() {
		List<AuditRows.AuditRow> two = rows(2, 1);

		byte[] bytes = binary(two);

		assertThat(new String(bytes, 0, 11, StandardCharsets.ISO_8859_1)).isEqualTo("PGCOPY\n\377\r\n\0");
		// Each row starts with its field count (9); the file ends with -1 as a 16-bit field count.
		assertThat(bytes[19]).isEqualTo((byte) 0);
		assertThat(bytes[20]).isEqualTo((byte) 9);
		assertThat(Arrays.copyOfRange(bytes, bytes.length - 2, bytes.length)).containsExactly((byte) 0xff, (byte) 0xff);
	}

	/** The rows as a fresh writer encodes them, alone. */
	private static byte[] binary(List<AuditRows.AuditRow> rows) {
		AuditRows fresh = new AuditRows();
		int size = fresh.encode(rows);
		return Arrays.copyOf(fresh.bytes(), size);
	}
}
