package org.spgateway.authentication;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which SMART scope each interaction needs, and whether a caller's scopes grant it. One table for
 * every way in: REST interactions, operations and the entries of transaction and batch Bundles
 * (docs/security.md shows the same table). Permissions are SMART v2's: c create, r read, u update,
 * d delete, s search.
 *
 * <p>Operations need what they do to the data they touch: {@code $process-message} and
 * {@code $partner-referral} create a referral (ServiceRequest c); {@code Task/$overdue} searches Tasks; {@code ServiceRequest/$outcomes}
 * reads the referral and searches its Observations; {@code ServiceRequest/$reviews-due} searches
 * referrals; {@code $redrive} and {@code $partner-status} update the resource they are called on;
 * {@code $transform}, {@code $translate} and {@code $validate} read the conformance resource or type
 * they are called on; {@code $import} creates every input's type (checked by the import, from its body).
 * An operation missing from the table needs every permission on its type, so a
 * new operation is closed until it is given a rule here.
 */
public final class ScopeCheck {

	/** One scope a request needs: a permission on a resource type ({@code *} for the whole server). */
	public record Need(String type, char permission) {

		/** The v2 scope that grants it, e.g. {@code system/Task.s}. */
		public String v2() {
			return "system/" + type + "." + permission;
		}

		/** The v1 scope that grants it, e.g. {@code system/Task.read}. */
		public String v1() {
			return "system/" + type + "." + (permission == 'r' || permission == 's' ? "read" : "write");
		}
	}

	/** Resource types anyone may read and search without a token: the gateway's published conformance. */
	public static final Set<String> PUBLIC_TYPES = Set.of("StructureDefinition", "CodeSystem", "ValueSet", "ConceptMap", "StructureMap",
			"SearchParameter", "Questionnaire", "OperationDefinition", "ImplementationGuide");

	/** Search parameters that reach other resources, which an anonymous search of conformance resources may not use. */
	private static final Set<String> REACHING_PARAMETERS = Set.of("_include", "_revinclude", "_has");

	/** Stands for the type the operation is called on. */
	private static final String SAME_TYPE = "";

	private static final Map<String, List<Need>> OPERATIONS = Map.ofEntries(
			Map.entry("$process-message", List.of(new Need("ServiceRequest", 'c'))),
			Map.entry("$partner-referral", List.of(new Need("ServiceRequest", 'c'))),
			Map.entry("$overdue", List.of(new Need("Task", 's'))),
			Map.entry("$outcomes", List.of(new Need("ServiceRequest", 'r'), new Need("Observation", 's'))),
			Map.entry("$reviews-due", List.of(new Need("ServiceRequest", 's'))),
			Map.entry("$redrive", List.of(new Need(SAME_TYPE, 'u'))),
			Map.entry("$partner-status", List.of(new Need("Task", 'u'))),
			Map.entry("$partner-headers", List.of(new Need(SAME_TYPE, 'u'))),
			Map.entry("$transform", List.of(new Need("StructureMap", 'r'))),
			Map.entry("$translate", List.of(new Need("ConceptMap", 'r'))),
			Map.entry("$validate", List.of(new Need(SAME_TYPE, 'r'))),
			// Like a transaction's entries, what an import creates is only known from its body: the bulk import checks create
			// permission on every input's type (forImport). Its status belongs to the client that started it.
			Map.entry("$import", List.of()),
			Map.entry("$import-poll-status", List.of()));

	private ScopeCheck() {}

	/**
	 * What a FHIR request needs. {@code type} is the resource type in the URL (null at server level),
	 * {@code operation} the operation name for extended operations. Empty: nothing (metadata, and
	 * transactions and batches, whose entries are checked one by one with {@link #forEntry}).
	 */
	public static List<Need> needs(RestOperationTypeEnum interaction, String type, String operation) {
		String t = type == null ? "*" : type;
		return switch (interaction) {
			case METADATA, TRANSACTION, BATCH -> List.of();
			case READ, VREAD, HISTORY_INSTANCE, HISTORY_TYPE, HISTORY_SYSTEM, GET_TAGS, META -> List.of(new Need(t, 'r'));
			case SEARCH_TYPE, SEARCH_SYSTEM, GET_PAGE -> List.of(new Need(t, 's'));
			case CREATE -> List.of(new Need(t, 'c'));
			case UPDATE, PATCH, ADD_TAGS, DELETE_TAGS, META_ADD, META_DELETE -> List.of(new Need(t, 'u'));
			case DELETE -> List.of(new Need(t, 'd'));
			case VALIDATE -> OPERATIONS.get("$validate").stream().map(n -> resolve(n, t)).toList();
			case EXTENDED_OPERATION_SERVER, EXTENDED_OPERATION_TYPE, EXTENDED_OPERATION_INSTANCE -> {
				List<Need> rule = OPERATIONS.get(operation);
				yield rule == null ? everything(t) : rule.stream().map(n -> resolve(n, t)).toList();
			}
			default -> everything(t);
		};
	}

	/** What one entry of a transaction or batch needs, from its request method and URL. */
	public static Need forEntry(String method, String url) {
		String path = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
		String[] parts = path.split("/");
		String type = parts.length == 0 || parts[0].isEmpty() ? "*" : parts[0];
		return switch (method) {
			case "GET", "HEAD" -> new Need(type, parts.length >= 2 && !parts[1].startsWith("_search") ? 'r' : 's');
			case "POST" -> new Need(type, parts.length >= 2 && parts[1].equals("_search") ? 's' : 'c');
			case "PUT", "PATCH" -> new Need(type, 'u');
			case "DELETE" -> new Need(type, 'd');
			default -> new Need(type, 'c');
		};
	}

	/** What importing resources of a type needs: create permission on it. */
	public static Need forImport(String type) {
		return new Need(type, 'c');
	}

	/** The first need the scopes do not grant, or null when they grant them all. */
	public static Need missing(Set<String> normalisedScopes, List<Need> needs) {
		for (Need need : needs) {
			if (!SmartScopes.allows(normalisedScopes, need.type(), need.permission())) {
				return need;
			}
		}
		return null;
	}

	/**
	 * Whether a request may be answered without a token: the CapabilityStatement, and reads, version
	 * reads, history and searches of the public conformance resources that do not reach other resources.
	 */
	public static boolean isPublic(RestOperationTypeEnum interaction, String type, Map<String, String[]> parameters) {
		if (interaction == RestOperationTypeEnum.METADATA) {
			return true;
		}
		if (type == null || !PUBLIC_TYPES.contains(type)) {
			return false;
		}
		return switch (interaction) {
			case READ, VREAD, HISTORY_INSTANCE, HISTORY_TYPE, SEARCH_TYPE -> parameters.keySet().stream()
					.noneMatch(p -> REACHING_PARAMETERS.stream().anyMatch(p::startsWith));
			default -> false;
		};
	}

	private static Need resolve(Need need, String type) {
		return need.type().equals(SAME_TYPE) ? new Need(type, need.permission()) : need;
	}

	private static List<Need> everything(String type) {
		return SmartScopes.ALL.chars().mapToObj(c -> new Need(type, (char) c)).toList();
	}
}
