package org.spgateway.conformance;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.r4.fhirpath.FHIRLexer.FHIRLexerException;
import org.hl7.fhir.r4.hapi.ctx.HapiWorkerContext;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.hl7.fhir.r4.model.StructureMap;
import org.hl7.fhir.r4.utils.StructureMapUtilities;

/**
 * Reads a {@code .map} file written in the FHIR Mapping Language into a StructureMap, with the HL7 core
 * library HAPI ships. A syntax error stops start-up with the file, the line and the problem.
 *
 * <p>Parsing needs no profiles: the library's FHIRPath parser (for {@code where}, {@code check} and inline
 * expressions) is purely syntactic, so the worker context here is empty. Checking a map against the
 * structures it uses is the mapping package's job, once the gateway's own worker context exists.
 */
class MappingLanguageParser {

	private final StructureMapUtilities utilities;

	MappingLanguageParser(FhirContext fhirContext) {
		this.utilities = new StructureMapUtilities(new HapiWorkerContext(fhirContext, new PrePopulatedValidationSupport(fhirContext)));
	}

	StructureMap parse(String source, String text) {
		StructureMap map;
		try {
			map = utilities.parse(text, source);
		} catch (FHIRLexerException e) {
			throw new ConformanceException(source, "is not valid FHIR Mapping Language: " + plain(e.getMessage()));
		} catch (FHIRException | IllegalArgumentException e) {
			throw new ConformanceException(source, "is not valid FHIR Mapping Language: " + e.getMessage());
		}
		if (!map.hasUrl() || !map.hasName()) {
			throw new ConformanceException(source, "must start with map \"<url>\" = \"<name>\"");
		}
		if (map.getGroup().isEmpty()) {
			throw new ConformanceException(source, "has no group: a map needs at least one group of rules");
		}
		// The language has no syntax for status (R4); a map the gateway loads is in use.
		if (!map.hasStatus()) {
			map.setStatus(PublicationStatus.ACTIVE);
		}
		return map;
	}

	/**
	 * "Error @12, 5: problem" as "line 12: problem". The library's column is where it stopped reading the token
	 * after the mistake, which misleads more than it helps; the line is right.
	 */
	static String plain(String message) {
		if (message != null && message.startsWith("Error @")) {
			int colon = message.indexOf(": ");
			String[] position = message.substring("Error @".length(), colon < 0 ? message.length() : colon).split(",");
			if (colon > 0 && position.length == 2) {
				return "line " + position[0].trim() + ": " + message.substring(colon + 2);
			}
		}
		return message;
	}
}
