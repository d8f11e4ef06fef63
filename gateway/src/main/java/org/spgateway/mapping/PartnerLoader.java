package org.spgateway.mapping;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.spgateway.conformance.ConformanceException;
import org.spgateway.conformance.ConformanceLoader;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.mapping.PartnerDefinition.Channel;
import org.spgateway.mapping.PartnerDefinition.Delivery;
import org.spgateway.mapping.PartnerDefinition.Direction;
import org.spgateway.mapping.PartnerDefinition.MapUse;
import org.spgateway.mapping.PartnerDefinition.Message;
import org.spgateway.mapping.PartnerDefinition.Payload;
import org.spgateway.mapping.PartnerDefinition.OrganizationIdentifier;

/**
 * Reads every partner descriptor ({@code partner.yaml}) under the conformance locations and checks it,
 * so that a partner with a mistake stops start-up naming the file and the problem instead of failing
 * on the first message.
 */
class PartnerLoader {

	static final String DESCRIPTOR = "partner.yaml";

	private static final Pattern PARTNER_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
	private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

	private final ObjectMapper yaml = YAMLMapper.builder()
			.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
			.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
			.build();

	/** The descriptor as written; the partner's id is its folder's name. */
	private record Descriptor(String name, PartnerDefinition.Role role, List<OrganizationIdentifier> organizations,
			List<Direction> directions, List<MapUse> maps, Delivery delivery) {}

	/**
	 * @param structureMaps the canonical URLs of the StructureMaps loaded, which descriptors may name
	 * @param conceptMaps   the canonical URLs of the ConceptMaps loaded (a status-update can be words translated by a ConceptMap)
	 */
	List<PartnerDefinition> load(List<String> locations, Set<String> structureMaps, Set<String> conceptMaps) {
		List<PartnerDefinition> partners = new ArrayList<>();
		Map<String, PartnerDefinition> byId = new HashMap<>();
		Map<String, PartnerDefinition> byOrganization = new HashMap<>();
		for (String location : locations) {
			for (ConformanceLoader.Source file : ConformanceLoader.list(location, "/" + DESCRIPTOR)) {
				PartnerDefinition partner = read(file, structureMaps, conceptMaps);
				PartnerDefinition clash = byId.putIfAbsent(partner.id(), partner);
				if (clash != null) {
					throw new ConformanceException(file.name(), "is a second partner named " + partner.id() + " (the first is " + clash.source() + ")");
				}
				for (OrganizationIdentifier org : partner.organizations()) {
					clash = byOrganization.putIfAbsent(key(org.system(), org.value()), partner);
					if (clash != null) {
						throw new ConformanceException(file.name(), "claims organisation " + org.system() + "|" + org.value()
								+ ", which " + clash.source() + " already claims: a sender must belong to one partner");
					}
				}
				partners.add(partner);
			}
		}
		return partners;
	}

	static String key(String system, String value) {
		return NhsIdentifiers.canonicalSystem(system) + "|" + value;
	}

	private PartnerDefinition read(ConformanceLoader.Source file, Set<String> structureMaps, Set<String> conceptMaps) {
		String name = file.name().replace('\\', '/');
		String[] parts = name.split("/");
		String id = parts.length >= 2 ? parts[parts.length - 2] : "";
		if (!PARTNER_ID.matcher(id).matches()) {
			throw new ConformanceException(file.name(), "is in a folder named '" + id
					+ "'; a partner's folder name is its id: lower-case letters, digits and hyphens");
		}
		Descriptor d;
		try {
			d = yaml.readValue(file.content(), Descriptor.class);
		} catch (JsonProcessingException e) {
			throw new ConformanceException(file.name(), problem(e));
		}
		if (d == null) {
			throw new ConformanceException(file.name(), "is empty");
		}
		Problems problems = new Problems(file.name());
		problems.require(d.name() != null && !d.name().isBlank(), "has no name");
		problems.require(d.role() != null, "has no role (referrer or provider)");
		problems.require(d.organizations() != null && !d.organizations().isEmpty(),
				"lists no organizations: say which organisations (by identifier) this partner speaks for");
		List<OrganizationIdentifier> organizations = new ArrayList<>();
		for (OrganizationIdentifier org : d.organizations() == null ? List.<OrganizationIdentifier>of() : d.organizations()) {
			problems.require(org != null && notBlank(org.system()) && notBlank(org.value()), "has an organization without a system and a value");
			organizations.add(new OrganizationIdentifier(NhsIdentifiers.canonicalSystem(org.system()), org.value()));
		}
		problems.require(d.directions() != null && !d.directions().isEmpty(), "lists no directions (inbound, outbound or both)");
		List<Direction> directions = d.directions() == null ? List.of() : d.directions();
		List<MapUse> maps = d.maps() == null ? List.of() : d.maps();
		Set<String> seen = new HashSet<>();
		for (MapUse use : maps) {
			// A status update in the partner's own JSON has both: the StructureMap reads the JSON, the ConceptMap its words.
			boolean statusJson = use != null && use.direction() == Direction.INBOUND && use.message() == PartnerDefinition.Message.STATUS_UPDATE
					&& notBlank(use.structureMap()) && notBlank(use.conceptMap());
			problems.require(use != null && use.direction() != null && use.message() != null
					&& (statusJson || notBlank(use.structureMap()) != notBlank(use.conceptMap())),
					"has a map without a direction, a message and either a structureMap or a conceptMap (both only for an inbound"
							+ " status-update read from the partner's own JSON)");
			problems.require(directions.contains(use.direction()), "has an " + use.direction().name().toLowerCase() + " map but does not list "
					+ use.direction().name().toLowerCase() + " in its directions");
			problems.require(seen.add(use.direction() + "/" + use.message()), "has two " + use.direction().name().toLowerCase() + " maps for "
					+ use.message().name().toLowerCase().replace('_', '-'));
			if (use.endpoint() != null) {
				boolean referral = PartnerDefinition.PARTNER_REFERRAL.equals(use.endpoint()) && use.direction() == Direction.INBOUND
						&& use.message() == PartnerDefinition.Message.REFERRAL && notBlank(use.structureMap());
				boolean status = PartnerDefinition.PARTNER_STATUS.equals(use.endpoint()) && statusJson;
				problems.require(referral || status, "has a map with endpoint '" + use.endpoint() + "': only an inbound referral StructureMap"
						+ " (endpoint " + PartnerDefinition.PARTNER_REFERRAL + ") or an inbound status-update StructureMap with its ConceptMap"
						+ " (endpoint " + PartnerDefinition.PARTNER_STATUS + ") has an endpoint");
			}
			problems.require(!statusJson || PartnerDefinition.PARTNER_STATUS.equals(use.endpoint()), "has an inbound status-update"
					+ " StructureMap, which reads the partner's own JSON: name the endpoint it is posted to (endpoint: "
					+ PartnerDefinition.PARTNER_STATUS + ")");
			if (notBlank(use.structureMap())) {
				problems.require(structureMaps.contains(use.structureMap()), "names the StructureMap " + use.structureMap()
						+ ", which is not loaded: put its .map file in the partner's folder");
			}
			if (notBlank(use.conceptMap())) {
				problems.require(conceptMaps.contains(use.conceptMap()), "names the ConceptMap " + use.conceptMap()
						+ ", which is not loaded: put its .json file in the partner's folder");
			}
		}
		Delivery delivery = d.delivery();
		problems.require(delivery != null && delivery.channel() != null,
				"has no delivery channel (fhir-rest-hook, bars-process-message, json-webhook or polling)");
		if (delivery.channel() == Channel.POLLING) {
			problems.require(delivery.endpoint() == null, "polls the gateway (channel polling), so it cannot have a delivery endpoint");
		} else {
			problems.require(isHttpUrl(delivery.endpoint()), "delivers by " + delivery.channel().name().toLowerCase().replace('_', '-')
					+ " and needs an endpoint: an http or https URL");
		}
		Map<String, String> headers = delivery.headers() == null ? Map.of() : delivery.headers();
		for (Map.Entry<String, String> header : headers.entrySet()) {
			problems.require(HEADER_NAME.matcher(header.getKey()).matches() && header.getValue() != null,
					"has a delivery header that is not a valid HTTP header: " + header.getKey());
		}
		List<String> secretHeaders = delivery.secretHeaders() == null ? List.of() : delivery.secretHeaders();
		Set<String> secretNames = new HashSet<>();
		for (String header : secretHeaders) {
			problems.require(header != null && HEADER_NAME.matcher(header).matches(), "has a secret header name that is not a valid HTTP header name: "
					+ header);
			problems.require(secretNames.add(header.toLowerCase(Locale.ROOT)) && headers.keySet().stream().noneMatch(header::equalsIgnoreCase),
					"names the header " + header + " twice (in headers and secretHeaders, or twice in one)");
		}
		PartnerDefinition.Role role = d.role();
		Payload payload = delivery.payloadOrDefault();
		String channel = PartnerDefinition.spelled(delivery.channel());
		if (delivery.channel() == Channel.BARS_PROCESS_MESSAGE) {
			problems.require(payload == Payload.FULL, "delivers by bars-process-message with payload id-only: a BaRS message always carries"
					+ " its resources, so its payload is full");
			problems.require(!delivery.wantsCodesOnly(), "delivers by bars-process-message with codesOnly: a BaRS message carries the referral"
					+ " and what was said, so codes only needs another channel (fhir-rest-hook or json-webhook)");
			problems.require(role == PartnerDefinition.Role.REFERRER, "is a provider delivering by bars-process-message: the gateway sends"
					+ " BaRS feedback messages to referrers; a provider is sent its referrals by fhir-rest-hook or json-webhook, or polls");
		}
		problems.require(!delivery.wantsCodesOnly() || role == PartnerDefinition.Role.REFERRER, "is a provider with codesOnly: codes only"
				+ " is the feedback a referrer's record files, and a provider is sent whole referrals");
		Message outbound = role == PartnerDefinition.Role.REFERRER ? Message.FEEDBACK : Message.NOTIFICATION;
		boolean mapped = maps.stream().anyMatch(m -> m.direction() == Direction.OUTBOUND && m.message() == outbound && notBlank(m.structureMap()));
		String message = outbound.name().toLowerCase();
		if (mapped) {
			problems.require(delivery.channel() == Channel.JSON_WEBHOOK, "has an outbound " + message + " map but delivers by " + channel
					+ ": a partner's map's output goes to its own webhook (channel json-webhook)");
			problems.require(payload == Payload.FULL, "has an outbound " + message + " map and payload id-only: an id-only delivery carries"
					+ " no content for the map to shape");
			problems.require(!delivery.wantsCodesOnly(), "has an outbound " + message + " map and codesOnly: a partner gets either its map's"
					+ " output or the gateway's codes-only feedback, not both");
		} else if (delivery.channel() == Channel.JSON_WEBHOOK) {
			problems.require(payload == Payload.ID_ONLY || delivery.wantsCodesOnly(), "delivers by json-webhook with no outbound " + message
					+ " map: its webhook takes the map's output, so name the map (or use payload id-only"
					+ (role == PartnerDefinition.Role.REFERRER ? ", or codesOnly" : "") + ")");
		}
		problems.require(delivery.format() == null || Delivery.FHIR_JSON.equals(delivery.format()) || Delivery.FHIR_XML.equals(delivery.format()),
				"asks for the format '" + delivery.format() + "': FHIR outputs are sent as " + Delivery.FHIR_JSON + " (the default) or "
						+ Delivery.FHIR_XML);
		return new PartnerDefinition(id, file.name(), d.name().trim(), role, List.copyOf(organizations), List.copyOf(directions),
				List.copyOf(maps), new Delivery(delivery.channel(), delivery.endpoint(), Map.copyOf(headers), List.copyOf(secretHeaders),
						payload, delivery.wantsCodesOnly(), delivery.format()));
	}

	private static boolean notBlank(String s) {
		return s != null && !s.isBlank();
	}

	private static boolean isHttpUrl(String s) {
		try {
			URI uri = new URI(s);
			return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
		} catch (Exception e) {
			return false;
		}
	}

	/**
	 * Jackson's complaint in an operator's words: the line for a YAML syntax error, the field's path for a field
	 * that is unknown or has the wrong value (Jackson reads a whole object before it checks its fields, so its line
	 * there would be the object's end).
	 */
	private static String problem(JsonProcessingException e) {
		if (!(e instanceof JsonMappingException m)) {
			return (e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ": ") + "is not valid YAML: " + e.getOriginalMessage();
		}
		List<String> path = m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]").toList();
		if (e instanceof UnrecognizedPropertyException u) {
			String parent = String.join(".", path.subList(0, path.size() - 1)).replace(".[", "[");
			return "has an unknown field '" + u.getPropertyName() + "' " + (parent.isEmpty() ? "at the top level" : "in " + parent)
					+ "; the fields there are " + u.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
		}
		String field = String.join(".", path).replace(".[", "[");
		if (e instanceof InvalidFormatException f && f.getTargetType() != null && f.getTargetType().isEnum()) {
			return field + " is '" + f.getValue() + "'; it must be one of " + allowed(f.getTargetType());
		}
		return field + " has the wrong shape (a list, a text or a nested block where the other was expected)";
	}

	private static String allowed(Class<?> type) {
		return Arrays.stream(type.getFields()).filter(f -> f.isEnumConstant() && f.getAnnotation(JsonProperty.class) != null)
				.map(f -> f.getAnnotation(JsonProperty.class).value()).collect(Collectors.joining(", "));
	}

	/** Stops at the first broken rule, naming the file. */
	private record Problems(String source) {
		void require(boolean ok, String problem) {
			if (!ok) {
				throw new ConformanceException(source, problem);
			}
		}
	}
}
