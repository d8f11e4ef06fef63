package org.spgateway.authentication;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * SMART on FHIR scopes as the gateway understands them. Tokens may carry v1 scopes
 * ({@code system/Task.read}, {@code system/ServiceRequest.write}, {@code system/*.*}) or v2 scopes
 * ({@code system/Task.rs}, {@code system/*.cruds}); both are normalised to v2 form, one scope per
 * resource type (or {@code *}) with its permissions merged in the order c, r, u, d, s:
 * {@code system/Task.read system/Task.write} becomes {@code system/Task.cruds}.
 *
 * <p>{@code user/} scopes count as {@code system/} ones: what a caller may see is decided by its
 * client binding, not by the scope's context. {@code patient/} scopes, v2 scopes with a query
 * ({@code ?category=...}) and anything else (openid, launch ...) grant nothing here.
 */
public final class SmartScopes {

	/** Every permission, in the order SMART v2 writes them. */
	public static final String ALL = "cruds";

	private static final Pattern SCOPE = Pattern.compile("(system|user)/(\\*|[A-Z][A-Za-z]+)\\.(\\*|read|write|[cruds]+)");

	private SmartScopes() {}

	/** The normalised (v2) scopes of a space-separated scope string or a list of scopes. */
	public static Set<String> normalise(Collection<String> scopes) {
		Map<String, Set<Character>> byType = new LinkedHashMap<>();
		for (String scope : scopes) {
			Matcher m = SCOPE.matcher(scope.trim());
			if (!m.matches()) {
				continue;
			}
			String permissions = switch (m.group(3)) {
				case "*" -> ALL;
				case "read" -> "rs";
				case "write" -> "cud";
				default -> m.group(3);
			};
			if (!inOrder(permissions)) {
				continue;
			}
			Set<Character> granted = byType.computeIfAbsent(m.group(2), k -> new TreeSet<>());
			permissions.chars().forEach(c -> granted.add((char) c));
		}
		return byType.entrySet().stream()
				.map(e -> "system/" + e.getKey() + "." + ordered(e.getValue()))
				.collect(Collectors.toCollection(TreeSet::new));
	}

	public static Set<String> normalise(String spaceSeparated) {
		return normalise(spaceSeparated == null || spaceSeparated.isBlank() ? Set.of() : Set.of(spaceSeparated.trim().split("\\s+")));
	}

	/** Whether normalised scopes allow {@code permission} (one of c, r, u, d, s) on a resource type. */
	public static boolean allows(Set<String> normalised, String type, char permission) {
		for (String scope : normalised) {
			int slash = scope.indexOf('/');
			int dot = scope.lastIndexOf('.');
			String scopeType = scope.substring(slash + 1, dot);
			if ((scopeType.equals("*") || scopeType.equals(type)) && scope.indexOf(permission, dot) > 0) {
				return true;
			}
		}
		return false;
	}

	/** Whether every scope in {@code asked} is allowed by {@code ceiling} (both normalised). */
	public static boolean within(Set<String> asked, Set<String> ceiling) {
		for (String scope : asked) {
			int dot = scope.lastIndexOf('.');
			String type = scope.substring(scope.indexOf('/') + 1, dot);
			for (char p : scope.substring(dot + 1).toCharArray()) {
				boolean allowed = type.equals("*") ? ceiling.contains("system/*." + ALL) || allowsEverywhere(ceiling, p) : allows(ceiling, type, p);
				if (!allowed) {
					return false;
				}
			}
		}
		return true;
	}

	private static boolean allowsEverywhere(Set<String> ceiling, char permission) {
		return ceiling.stream().anyMatch(s -> s.startsWith("system/*.") && s.indexOf(permission, s.lastIndexOf('.')) > 0);
	}

	/** v2 permissions must be written in the order c, r, u, d, s, each at most once. */
	private static boolean inOrder(String permissions) {
		int last = -1;
		for (char c : permissions.toCharArray()) {
			int at = ALL.indexOf(c);
			if (at <= last) {
				return false;
			}
			last = at;
		}
		return true;
	}

	private static String ordered(Set<Character> permissions) {
		StringBuilder out = new StringBuilder();
		for (char c : ALL.toCharArray()) {
			if (permissions.contains(c)) {
				out.append(c);
			}
		}
		return out.toString();
	}
}
