package org.spgateway.bulkimport;

import java.util.List;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.validation.ValidationIssue;

/**
 * One line of an input file once validated: the resource (null when it could not be read), the errors that refuse it
 * and the warnings it passed with.
 *
 * @param number the line's number in its file, from 1
 */
record ImportLine(int number, Resource resource, List<ValidationIssue> errors, List<ValidationIssue> warnings) {

	boolean refused() {
		return !errors.isEmpty();
	}
}
