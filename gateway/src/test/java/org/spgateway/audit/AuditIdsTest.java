package org.spgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AuditIdsTest {

	@Test
	void idsAreVersionSevenUuidsThatSortInTheOrderTheyWereMade() throws InterruptedException {
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			ids.add(AuditIds.next());
			Thread.sleep(2);
		}
		assertThat(ids).isSorted().allSatisfy(id -> {
			UUID uuid = UUID.fromString(id);
			assertThat(uuid.version()).isEqualTo(7);
			assertThat(uuid.variant()).isEqualTo(2);
			assertThat(uuid.getMostSignificantBits() >>> 16).isCloseTo(System.currentTimeMillis(), within(60_000L));
		});
	}

	@Test
	void idsMadeInTheSameMillisecondDoNotRepeat() {
		HashSet<String> ids = new HashSet<>();
		for (int i = 0; i < 100_000; i++) {
			ids.add(AuditIds.next());
		}
		assertThat(ids).hasSize(100_000);
	}
}
