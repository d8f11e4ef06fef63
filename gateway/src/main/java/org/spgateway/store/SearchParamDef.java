package org.spgateway.store;

import ca.uhn.fhir.fhirpath.IFhirPath;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import java.util.Set;

/**
 * One search parameter the gateway indexes and answers, for one resource type.
 *
 * @param column for parameters answered from the resource table itself (_id, _lastUpdated), the
 *     column; null for indexed parameters
 */
public record SearchParamDef(
		String resourceType,
		String name,
		RestSearchParameterTypeEnum type,
		String expression,
		IFhirPath.IParsedExpression parsed,
		Set<String> targets,
		String definition,
		String description,
		String column) {

	public boolean isIndexed() {
		return column == null;
	}
}
