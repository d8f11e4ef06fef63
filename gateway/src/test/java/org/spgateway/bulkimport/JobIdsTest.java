package org.spgateway.bulkimport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JobIdsTest {

	@Test
	void holdsWhatWasAddedAndNothingElseAcrossGrowth() {
		JobIds ids = new JobIds();
		for (int i = 0; i < 5_000; i++) {
			ids.addId("Patient", "p-" + i);
			if (i % 2 == 0) {
				ids.addFocus("sr-" + i);
			}
		}
		ids.seal();

		assertThat(ids.size()).isEqualTo(5_000);
		assertThat(ids.holds("Patient", "p-4999")).isTrue();
		assertThat(ids.holds("Patient", "p-5000")).isFalse();
		assertThat(ids.holds("Task", "p-1")).as("the type is part of the key").isFalse();
		assertThat(ids.hasTaskFor("sr-10")).isTrue();
		assertThat(ids.hasTaskFor("sr-11")).isFalse();
	}

	@Test
	void isReadOnlyOnceSealed() {
		assertThatThrownBy(() -> new JobIds().holds("Patient", "1")).isInstanceOf(IllegalStateException.class);
	}
}
