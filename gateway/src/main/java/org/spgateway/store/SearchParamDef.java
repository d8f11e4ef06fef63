package org.spgateway.store;

import ca.uhn.fhir.fhirpath.IFhirPath;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import java.util.Set;

/**
 * One search parameter the gateway indexes and answers, for one resource type.
 *
 * @param column for parameters answered from the resource table itself (_id, _lastUpdated), the
 *     column; null for indexed parameters
 * @param narrower the parameters of the same type whose expression is this one's narrowed to one target type
 *     ({@code patient}, {@code ServiceRequest.subject.where(resolve() is Patient)}, for {@code subject}): each of
 *     their values is one of this one's, so an index row they share is stored once, under the narrower name, and
 *     this parameter's values are its own rows and theirs ({@link #rowParams()})
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
		String column,
		Set<String> narrower) {

	public boolean isIndexed() {
		return column == null;
	}

	/** The {@code param} values of the index rows that hold this parameter's values: its own name and its narrower ones. */
	public String[] rowParams() {
		String[] names = new String[narrower.size() + 1];
		names[0] = name;
		int i = 1;
		for (String n : narrower) {
			names[i++] = n;
		}
		return names;
	}

	/** This parameter with the narrower parameters its rows share. */
	SearchParamDef withNarrower(Set<String> names) {
		return new SearchParamDef(resourceType, name, type, expression, parsed, targets, definition, description, column, Set.copyOf(names));
	}
}
