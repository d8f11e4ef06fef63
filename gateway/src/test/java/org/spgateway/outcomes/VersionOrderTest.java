package org.spgateway.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VersionOrderTest {

	@Test
	void versionsAreOrderedAsVersionsNotAsText() {
		List<String> expected = List.of("0.9", "1.0.0-alpha", "1.0.0-rc1", "1.0.0", "1.0.1", "1.2.0", "1.9.0", "1.10.0", "2", "2.0.1", "10.0.0");
		for (long seed = 0; seed < 20; seed++) {
			List<String> shuffled = new ArrayList<>(expected);
			Collections.shuffle(shuffled, new Random(seed));
			shuffled.sort(VersionOrder.INSTANCE);
			assertThat(shuffled).as("whatever the order they came in").isEqualTo(expected);
		}
	}

	@Test
	void dateVersionsAndMissingVersions() {
		assertThat(VersionOrder.INSTANCE.compare("2024-12", "2025-06")).isNegative();
		assertThat(VersionOrder.INSTANCE.compare("2025-06-01", "2025-06")).isPositive();
		assertThat(VersionOrder.INSTANCE.compare(null, "0.1")).isNegative();
		assertThat(VersionOrder.INSTANCE.compare(null, null)).isZero();
	}

	@Test
	void equalReadingsStillHaveAnOrder() {
		assertThat(VersionOrder.INSTANCE.compare("1.0", "1.00")).isNotZero();
		assertThat(Integer.signum(VersionOrder.INSTANCE.compare("1.0", "1.00")))
				.isEqualTo(-Integer.signum(VersionOrder.INSTANCE.compare("1.00", "1.0")));
	}
}
