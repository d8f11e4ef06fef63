package org.spgateway.mapping;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.spgateway.fhir.FhirFormats;

/**
 * One partner, as its descriptor ({@code mappings/<partner>/partner.yaml}) declares it: who it is, the
 * directions it uses with the map for each kind of message, and how the gateway delivers to it.
 * docs/mappings.md describes every field.
 *
 * @param id            the partner's folder name
 * @param source        the descriptor file, for messages
 */
public record PartnerDefinition(String id, String source, String name, Role role, List<OrganizationIdentifier> organizations,
		List<Direction> directions, List<MapUse> maps, Delivery delivery) {

	public enum Role {
		/** Sends referrals (a GP system, a social care case system, a self-referral form) and receives feedback. */
		@JsonProperty("referrer") REFERRER,
		/** Receives referrals (a provider's platform) and sends status changes and outcomes back. */
		@JsonProperty("provider") PROVIDER
	}

	public enum Direction {
		/** From the partner to the gateway. */
		@JsonProperty("inbound") INBOUND,
		/** From the gateway to the partner. */
		@JsonProperty("outbound") OUTBOUND
	}

	/** What a map carries. */
	public enum Message {
		@JsonProperty("referral") REFERRAL,
		@JsonProperty("status-update") STATUS_UPDATE,
		@JsonProperty("notification") NOTIFICATION,
		@JsonProperty("feedback") FEEDBACK
	}

	public enum Channel {
		/** FHIR R4 Subscription rest-hook to the partner's endpoint. */
		@JsonProperty("fhir-rest-hook") FHIR_REST_HOOK,
		/** BaRS: a message Bundle posted to the partner's {@code $process-message}. */
		@JsonProperty("bars-process-message") BARS_PROCESS_MESSAGE,
		/** The partner's own webhook taking a JSON body (shaped by the outbound map). */
		@JsonProperty("json-webhook") JSON_WEBHOOK,
		/** Nothing is pushed: the partner polls the gateway. */
		@JsonProperty("polling") POLLING
	}

	public enum Payload {
		/** The whole (mapped) content. */
		@JsonProperty("full") FULL,
		/** Only the id of what changed; the partner reads it with its own credentials. */
		@JsonProperty("id-only") ID_ONLY
	}

	/** An organisation the partner speaks for, by identifier (an ODS code for NHS organisations). */
	public record OrganizationIdentifier(String system, String value) {}

	/**
	 * What translates one kind of message in one direction: a StructureMap, or (for a status-update in the partner's own words) a
	 * ConceptMap; canonical URLs, exactly one of the two.
	 *
	 * @param endpoint for an inbound referral in the partner's own JSON, the gateway's operation it is posted to
	 *                 ({@value #PARTNER_REFERRAL}); null when the partner sends FHIR through the usual interactions
	 */
	public record MapUse(Direction direction, Message message, String structureMap, String conceptMap, String endpoint) {}

	/** The operation a partner posts its own JSON referrals to: {@code POST /fhir/$partner-referral?partner=[id]}. */
	public static final String PARTNER_REFERRAL = "$partner-referral";

	/** The operation a provider platform posts its status changes to: {@code POST /fhir/$partner-status?partner=[id]}. */
	public static final String PARTNER_STATUS = "$partner-status";

	/**
	 * How the gateway delivers to the partner.
	 *
	 * @param headers       extra HTTP headers on every delivery (no secrets: descriptors are served and kept in version control)
	 * @param secretHeaders the names of headers whose values are secrets (an API key): set by an administrator with
	 *                      {@code $partner-headers}, stored encrypted, never in the descriptor
	 * @param codesOnly     the partner wants coded entries only (no narrative, no free text)
	 * @param format        the media type of FHIR outputs ({@value #FHIR_JSON}, the default, or {@value #FHIR_XML}); a partner's own
	 *                      JSON (a logical model's, an id-only notice) is always {@code application/json}
	 */
	public record Delivery(Channel channel, String endpoint, Map<String, String> headers, List<String> secretHeaders, Payload payload,
			Boolean codesOnly, String format) {

		public static final String FHIR_JSON = FhirFormats.FHIR_JSON;
		public static final String FHIR_XML = FhirFormats.FHIR_XML;

		/** The Content-Type of the FHIR resources sent to this partner. */
		public String fhirContentType() {
			return FHIR_XML.equals(format) ? FHIR_XML : FHIR_JSON;
		}

		public Payload payloadOrDefault() {
			return payload == null ? Payload.FULL : payload;
		}

		public boolean wantsCodesOnly() {
			return Boolean.TRUE.equals(codesOnly);
		}

		public List<String> secretHeadersOrNone() {
			return secretHeaders == null ? List.of() : secretHeaders;
		}

		public boolean pushes() {
			return channel != Channel.POLLING;
		}
	}

	/** The outbox channel of every delivery to this partner (feedback and notifications): the unit of give-up and re-drive. */
	public String outboxChannel() {
		return OUTBOX_PREFIX + id;
	}

	/** Outbox channels of partners are {@code Partner/[id]}. */
	public static final String OUTBOX_PREFIX = "Partner/";

	/** The channel's name as descriptors write it (json-webhook ...). */
	public static String spelled(Channel channel) {
		return channel.name().toLowerCase().replace('_', '-');
	}

	/** The StructureMap for a kind of message in a direction, if the partner has one (without one, the gateway's own shape is used). */
	public Optional<String> mapFor(Direction direction, Message message) {
		return maps.stream().filter(m -> m.direction() == direction && m.message() == message).map(MapUse::structureMap)
				.filter(url -> url != null).findFirst();
	}

	/** The inbound referral map whose referrals are posted as the partner's own JSON to {@link #PARTNER_REFERRAL}, if the partner has one. */
	public Optional<String> jsonReferralMap() {
		return maps.stream().filter(m -> m.direction() == Direction.INBOUND && m.message() == Message.REFERRAL && m.endpoint() != null)
				.map(MapUse::structureMap).findFirst();
	}

	/** The inbound status-update map that reads the partner's own JSON posted to {@link #PARTNER_STATUS}, if the partner has one. */
	public Optional<String> jsonStatusMap() {
		return maps.stream().filter(m -> m.direction() == Direction.INBOUND && m.message() == Message.STATUS_UPDATE && m.endpoint() != null)
				.map(MapUse::structureMap).filter(url -> url != null).findFirst();
	}

	/** The ConceptMap that translates a kind of message in a direction, if the partner names one. */
	public Optional<String> conceptMapFor(Direction direction, Message message) {
		return maps.stream().filter(m -> m.direction() == direction && m.message() == message).map(MapUse::conceptMap)
				.filter(url -> url != null).findFirst();
	}
}
