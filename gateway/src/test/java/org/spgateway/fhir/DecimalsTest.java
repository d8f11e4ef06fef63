package org.spgateway.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class DecimalsTest {

	@Test
	void countsTheDigitsADecimalHasWrittenOutWithoutExpandingIt() {
		String[][] cases = {{"0", "1"}, {"7", "1"}, {"-12.50", "4"}, {"1.5e3", "4"}, {"1E-5", "6"}, {"0.000123", "7"}, {"123.456e-2", "6"},
				{"00012", "2"}, {"9.99e+20", "21"}, {"5e0", "1"}};
		for (String[] c : cases) {
			assertThat(Decimals.writtenOutDigits(c[0])).as(c[0]).isEqualTo(Long.parseLong(c[1]));
			// The same count as the digits of BigDecimal's own plain form (without sign and point).
			assertThat(new BigDecimal(c[0]).abs().toPlainString().replace(".", "")).as(c[0]).hasSize(Integer.parseInt(c[1]));
		}
	}

	@Test
	void anEnormousOrMinuteExponentIsTooLongInMicroseconds() {
		long started = System.nanoTime();
		assertThat(Decimals.tooLong("1e999999")).isTrue();
		assertThat(Decimals.tooLong("1e-999999")).isTrue();
		assertThat(Decimals.tooLong("1e99999999999999999999")).isTrue();
		assertThat(Decimals.tooLong("1" + "0".repeat(200))).isTrue();
		assertThat(System.nanoTime() - started).isLessThan(50_000_000L);
		assertThat(Decimals.tooLong("1e50")).isFalse();
		assertThat(Decimals.tooLong("3.14159")).isFalse();
	}

	@Test
	void textThatIsNotADecimalIsNotCounted() {
		for (String text : new String[] {"", "abc", "1e", "1.", ".5", "1.2.3", "e5", "12a", "--1", "1e+"}) {
			assertThat(Decimals.writtenOutDigits(text)).as(text).isEqualTo(-1);
		}
	}
}
