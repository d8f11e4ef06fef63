package org.spgateway.store;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A relative reference to a resource on this server: {@code Type/id} or {@code Type/id/_history/n}. */
public record LocalReference(String type, String id, String version) {

	private static final Pattern RELATIVE = Pattern.compile("^([A-Z][A-Za-z]+)/([A-Za-z0-9\\-.]{1,64})(?:/_history/([A-Za-z0-9\\-.]{1,64}))?$");

	/** Null when the reference is absolute, a urn, a contained (#) reference, or malformed. */
	public static LocalReference parse(String reference) {
		if (reference == null) {
			return null;
		}
		Matcher m = RELATIVE.matcher(reference);
		return m.matches() ? new LocalReference(m.group(1), m.group(2), m.group(3)) : null;
	}

	public String versionless() {
		return type + "/" + id;
	}
}
