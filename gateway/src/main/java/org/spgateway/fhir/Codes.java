package org.spgateway.fhir;

import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.CodeableConcept;

/** Coded values in the plain words messages and summaries quote. */
public final class Codes {

	private Codes() {}

	/** The concept's text, else its codings' displays (or codes); "(no code)" for none. */
	public static String text(CodeableConcept cc) {
		if (cc == null) {
			return "(no code)";
		}
		if (cc.hasText()) {
			return cc.getText();
		}
		return cc.getCoding().stream().map(c -> c.hasDisplay() ? c.getDisplay() : c.getCode()).collect(Collectors.joining(", "));
	}
}
