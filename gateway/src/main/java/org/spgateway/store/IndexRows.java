package org.spgateway.store;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The search index rows of one resource version, grouped by index table. */
public final class IndexRows {

	public record Token(String param, String system, String code) {}

	public record Str(String param, String normalized, String exact) {}

	public record Ref(String param, String targetType, String targetId, String targetUrl, String identSystem, String identValue) {}

	public record Date(String param, Instant low, Instant high) {}

	public record Num(String param, BigDecimal value) {}

	public record Quantity(String param, BigDecimal value, String system, String code) {}

	public record Uri(String param, String value) {}

	public final List<Token> tokens = new ArrayList<>();
	public final List<Str> strings = new ArrayList<>();
	public final List<Ref> references = new ArrayList<>();
	public final List<Date> dates = new ArrayList<>();
	public final List<Num> numbers = new ArrayList<>();
	public final List<Quantity> quantities = new ArrayList<>();
	public final List<Uri> uris = new ArrayList<>();
}
