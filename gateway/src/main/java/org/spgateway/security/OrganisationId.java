package org.spgateway.security;

/**
 * An organisation a client acts for, as an identifier: an ODS code
 * ({@code https://fhir.nhs.uk/Id/ods-organization-code}) or a directory identifier for organisations
 * without one (community groups). {@link #key()} is the form stored beside resources for access checks.
 */
public record OrganisationId(String system, String value) {

	/** {@code system|value}, the form the store's access rows hold. */
	public String key() {
		return system + "|" + value;
	}
}
