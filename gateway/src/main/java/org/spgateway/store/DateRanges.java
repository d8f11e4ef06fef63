package org.spgateway.store;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Date;

/**
 * FHIR dates are ranges: "2026-11" is the whole of November. Dates without a time zone are taken as
 * UTC days. Open ends use the far past and far future rather than SQL infinities, to stay portable.
 */
public final class DateRanges {

	public static final Instant FAR_PAST = Instant.parse("0001-01-01T00:00:00Z");
	public static final Instant FAR_FUTURE = Instant.parse("9999-12-31T23:59:59.999Z");

	private DateRanges() {}

	/** [low, high] (both inclusive, millisecond resolution) covered by a value at a precision. */
	public static Instant[] range(Date value, TemporalPrecisionEnum precision, int year, int month0, int day) {
		if (precision == null) {
			precision = TemporalPrecisionEnum.SECOND;
		}
		switch (precision) {
			case YEAR: {
				Instant low = LocalDate.of(year, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();
				return new Instant[] {low, LocalDate.of(year, 1, 1).plusYears(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1)};
			}
			case MONTH: {
				LocalDate first = LocalDate.of(year, month0 + 1, 1);
				return new Instant[] {first.atStartOfDay(ZoneOffset.UTC).toInstant(), first.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1)};
			}
			case DAY: {
				LocalDate d = LocalDate.of(year, month0 + 1, day);
				return new Instant[] {d.atStartOfDay(ZoneOffset.UTC).toInstant(), d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1)};
			}
			case MINUTE: {
				Instant low = value.toInstant().truncatedTo(ChronoUnit.MINUTES);
				return new Instant[] {low, low.plus(1, ChronoUnit.MINUTES).minusMillis(1)};
			}
			case SECOND: {
				Instant low = value.toInstant().truncatedTo(ChronoUnit.SECONDS);
				return new Instant[] {low, low.plusSeconds(1).minusMillis(1)};
			}
			default: {
				Instant at = value.toInstant();
				return new Instant[] {at, at};
			}
		}
	}

	public static Instant[] range(org.hl7.fhir.r4.model.BaseDateTimeType value) {
		if (value == null || value.getValue() == null) {
			return null;
		}
		return range(value.getValue(), value.getPrecision(), value.getYear(), value.getMonth(), value.getDay());
	}
}
