package org.spgateway.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.FhirTerser;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Resource;

/**
 * NHS identifier systems (UK Core conventions). Senders spell them several ways: {@code /Id/} and
 * {@code /id/}, http and https, a trailing slash. The gateway accepts every spelling and stores and
 * emits the canonical one, so that searches and matching see one system.
 */
public final class NhsIdentifiers {

	public static final String NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number";
	public static final String ODS_ORGANIZATION = "https://fhir.nhs.uk/Id/ods-organization-code";
	public static final String ODS_SITE = "https://fhir.nhs.uk/Id/ods-site-code";
	public static final String SDS_USER = "https://fhir.nhs.uk/Id/sds-user-id";
	public static final String SDS_ROLE_PROFILE = "https://fhir.nhs.uk/Id/sds-role-profile-id";
	public static final String DOS_SERVICE = "https://fhir.nhs.uk/Id/dos-service-id";

	private static final Pattern NHS_ID_SYSTEM = Pattern.compile("^https?://fhir\\.nhs\\.uk/id/([A-Za-z0-9\\-]+)/?$", Pattern.CASE_INSENSITIVE);

	private NhsIdentifiers() {}

	/** The canonical spelling of an NHS identifier system; any other system is returned unchanged. */
	public static String canonicalSystem(String system) {
		if (system == null) {
			return null;
		}
		Matcher m = NHS_ID_SYSTEM.matcher(system.trim());
		return m.matches() ? "https://fhir.nhs.uk/Id/" + m.group(1).toLowerCase(Locale.ROOT) : system;
	}

	/** Whether {@code system} is any spelling of {@code canonical}. */
	public static boolean is(String system, String canonical) {
		return canonical.equals(canonicalSystem(system));
	}

	/** Rewrites every Identifier in the resource (references' identifiers included) to the canonical system. */
	public static void normalize(FhirContext fhirContext, Resource resource) {
		FhirTerser terser = fhirContext.newTerser();
		for (Identifier identifier : terser.getAllPopulatedChildElementsOfType(resource, Identifier.class)) {
			normalize(identifier);
		}
	}

	public static Identifier normalize(Identifier identifier) {
		if (identifier != null && identifier.hasSystem()) {
			String canonical = canonicalSystem(identifier.getSystem());
			if (!canonical.equals(identifier.getSystem())) {
				identifier.setSystem(canonical);
			}
		}
		if (identifier != null && identifier.hasValue() && is(identifier.getSystem(), NHS_NUMBER)) {
			// NHS numbers are often written with spaces (943 476 5919).
			identifier.setValue(identifier.getValue().replace(" ", ""));
		}
		return identifier;
	}

	/** The value of the first identifier with the given (canonical) system, any spelling, or null. */
	public static String valueOf(java.util.List<Identifier> identifiers, String canonical) {
		for (Identifier identifier : identifiers) {
			if (identifier.hasValue() && is(identifier.getSystem(), canonical)) {
				return identifier.getValue().trim();
			}
		}
		return null;
	}

	/**
	 * Whether an NHS number is valid: 10 digits whose last is the Modulus 11 check digit of the first
	 * nine (weights 10 to 2; 11 minus the remainder; 11 means 0; 10 means no valid number).
	 */
	public static boolean isValidNhsNumber(String value) {
		if (value == null) {
			return false;
		}
		String digits = value.replace(" ", "");
		if (!digits.matches("^[0-9]{10}$")) {
			return false;
		}
		int sum = 0;
		for (int i = 0; i < 9; i++) {
			sum += (digits.charAt(i) - '0') * (10 - i);
		}
		int check = 11 - (sum % 11);
		if (check == 11) {
			check = 0;
		}
		return check != 10 && check == digits.charAt(9) - '0';
	}
}
