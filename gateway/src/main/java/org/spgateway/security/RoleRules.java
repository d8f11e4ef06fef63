package org.spgateway.security;

import java.util.Set;

/**
 * Which interactions a role may make at all, before any resource is looked at (what it may then see is the
 * {@link AccessScope}'s business, and who may move a referral is the lifecycle's). Pure rules: the wording of a
 * refusal is {@link AccessRefusals}'.
 */
public final class RoleRules {

	/** The rule a refused interaction breaks. */
	public enum Rule {
		TESTER_OUTSIDE_SANDBOX,
		COMMISSIONER_READS_ONLY,
		ADMINISTRATOR_MANAGES_ONLY,
		DIRECTORY_BY_ADMINISTRATOR
	}

	/** What a tester may use outside sandbox mode, besides reading conformance resources (issue 11). */
	static final Set<String> TESTER_OPERATIONS = Set.of("$validate", "$translate", "$transform");
	/** Operations an administrator runs on what it manages. */
	static final Set<String> ADMINISTRATOR_OPERATIONS = Set.of("$validate", "$translate", "$transform", "$redrive", "$meta", "$verify-chain",
			"$partner-headers");
	/** What partners may not write: the directory and the Endpoints in it are the administrator's. */
	static final Set<String> ADMINISTERED_WRITES = Set.of("Organization", "HealthcareService", "Location", "Endpoint");

	private RoleRules() {}

	/**
	 * Null when the role may make this interaction, else the rule it breaks.
	 *
	 * @param method the HTTP method
	 * @param type the resource type in the URL, or null (system level, metadata)
	 * @param requested the operation name ({@code $validate}, or {@code _search} for a search by POST), or null
	 */
	public static Rule refusal(Role role, boolean sandbox, String method, String type, String requested) {
		// HAPI names these URL parts as operations; to a role they are reads: the CapabilityStatement, a search by
		// POST, a history.
		boolean metadata = "metadata".equals(requested) || "metadata".equals(type);
		boolean readPart = metadata || "_search".equals(requested) || "_history".equals(requested);
		String operation = readPart ? null : requested;
		boolean read = "GET".equals(method) || "HEAD".equals(method) || ("POST".equals(method) && "_search".equals(requested));
		return switch (role) {
			case TESTER -> sandbox || metadata || (operation != null ? TESTER_OPERATIONS.contains(operation)
					: read && type != null && AccessTypes.CONFORMANCE.contains(type)) ? null : Rule.TESTER_OUTSIDE_SANDBOX;
			case COMMISSIONER -> read && operation == null ? null : Rule.COMMISSIONER_READS_ONLY;
			case ADMINISTRATOR -> {
				if (operation != null) {
					yield ADMINISTRATOR_OPERATIONS.contains(operation) ? null : Rule.ADMINISTRATOR_MANAGES_ONLY;
				}
				// Reads are bounded by the scope (break-glass widens it); writes only to what the administrator manages.
				yield read || (type != null && AccessTypes.ADMINISTERED.contains(type)) ? null : Rule.ADMINISTRATOR_MANAGES_ONLY;
			}
			case REFERRER, PROVIDER, COMMUNITY -> !read && operation == null && type != null && ADMINISTERED_WRITES.contains(type)
					? Rule.DIRECTORY_BY_ADMINISTRATOR : null;
		};
	}
}
