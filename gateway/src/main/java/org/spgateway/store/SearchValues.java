package org.spgateway.store;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import ca.uhn.fhir.rest.param.DateParam;
import ca.uhn.fhir.rest.param.ParamPrefixEnum;
import java.math.BigDecimal;
import java.time.Instant;
import org.hl7.fhir.r4.model.DateTimeType;
import org.spgateway.fhir.Decimals;

/**
 * Date, number and reference search values as FHIR defines them (a prefix, and the range the value stands for),
 * read once for both places that use them: the store's SQL and Subscription criteria matched in memory.
 * A value that cannot be read is an {@link IllegalArgumentException} whose message is for the caller.
 */
public final class SearchValues {

	private SearchValues() {}

	/** {@code ge2026-11}: the prefix and the instants [low, high] the date covers at its precision. */
	public record DateValue(ParamPrefixEnum prefix, Instant low, Instant high) {}

	/** {@code lt2.5}: the prefix, the number, and [lower, upper) it means for equality at the precision written. */
	public record NumberValue(ParamPrefixEnum prefix, BigDecimal number, BigDecimal lower, BigDecimal upper) {}

	public static DateValue date(String value) {
		DateParam param;
		try {
			param = new DateParam(value);
		} catch (Exception e) {
			throw new IllegalArgumentException("'" + value + "' is not a FHIR date search value (e.g. 2026-11-20, ge2026-11, lt2026-11-20T10:00:00Z)");
		}
		if (param.getValue() == null) {
			throw new IllegalArgumentException("'" + value + "' is not a FHIR date search value");
		}
		DateTimeType dt = new DateTimeType(param.getValueAsString());
		TemporalPrecisionEnum precision = dt.getPrecision();
		Instant[] range = DateRanges.range(dt.getValue(), precision, dt.getYear(), dt.getMonth(), dt.getDay());
		return new DateValue(param.getPrefix() == null ? ParamPrefixEnum.EQUAL : param.getPrefix(), range[0], range[1]);
	}

	public static NumberValue number(String value) {
		ParamPrefixEnum prefix = ParamPrefixEnum.EQUAL;
		String digits = value;
		if (value.length() > 2 && Character.isLetter(value.charAt(0)) && Character.isLetter(value.charAt(1))) {
			prefix = ParamPrefixEnum.forValue(value.substring(0, 2));
			digits = value.substring(2);
			if (prefix == null) {
				throw new IllegalArgumentException("Unknown prefix in '" + value + "'");
			}
		}
		if (Decimals.tooLong(digits)) {
			// new BigDecimal("1e999999") would be cheap, but PostgreSQL and the driver would expand it in full.
			throw new IllegalArgumentException("'" + value + "' would have more than " + Decimals.MAX_DIGITS
					+ " digits written out, more than this gateway holds");
		}
		BigDecimal number;
		try {
			number = new BigDecimal(digits);
		} catch (NumberFormatException e) {
			throw new IllegalArgumentException("'" + value + "' is not a number search value (e.g. 5, ge5, lt2.5)");
		}
		// "5" means [4.5, 5.5): equality respects the precision the caller wrote.
		BigDecimal half = BigDecimal.ONE.movePointLeft(Math.max(number.scale(), 0)).divide(BigDecimal.valueOf(2));
		return new NumberValue(prefix, number, number.subtract(half), number.add(half));
	}

	/** The resource a reference search value points at; {@code type} is null when it cannot be known. */
	public record ReferenceTarget(String type, String id) {}

	/** {@code Patient/123}; {@code 123} with a {@code :Patient} modifier, or where the parameter can only point at one type. */
	public static ReferenceTarget reference(String value, String modifier, SearchParamDef param) {
		LocalReference local = LocalReference.parse(value);
		String type = local != null ? local.type() : null;
		String id = local != null ? local.id() : value;
		if (type == null && modifier != null) {
			type = modifier;
		}
		if (type == null && param.targets().size() == 1) {
			type = param.targets().iterator().next();
		}
		return new ReferenceTarget(type, id);
	}
}
