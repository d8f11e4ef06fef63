package org.spgateway.store;

import java.util.List;

/**
 * A parsed search: clauses are ANDed, the values inside a clause are ORed (FHIR's {@code a=x&a=y} and
 * {@code a=x,y}).
 */
public record SearchRequest(
		String resourceType,
		List<Clause> clauses,
		List<SortKey> sort,
		int offset,
		int count,
		Total total,
		List<Include> includes,
		List<Include> revIncludes) {

	public enum Total { NONE, ACCURATE }

	public record Clause(SearchParamDef param, String modifier, List<String> values) {}

	public record SortKey(SearchParamDef param, boolean descending) {}

	/**
	 * {@code _include=Task:focus:ServiceRequest} is (sourceType Task, param focus, targetType
	 * ServiceRequest); for {@code _revinclude} the same triple reads "Task resources whose focus points
	 * at a match". A null param means every reference parameter of the source type ({@code Task:*}).
	 */
	public record Include(String sourceType, String param, String targetType, boolean iterate) {

		public String asText() {
			return sourceType + ":" + (param == null ? "*" : param) + (targetType == null ? "" : ":" + targetType);
		}
	}
}
