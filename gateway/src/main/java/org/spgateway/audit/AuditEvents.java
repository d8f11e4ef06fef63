package org.spgateway.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.spgateway.audit.AuditEventJson.Agent;
import org.spgateway.audit.AuditEventJson.Code;
import org.spgateway.audit.AuditEventJson.Entity;
import org.spgateway.audit.AuditEventJson.Event;
import org.spgateway.audit.AuditEventJson.Ref;
import org.spgateway.security.Caller;
import org.spgateway.security.OrganisationId;

/**
 * Builds the gateway's AuditEvents in the shape of IHE Basic Audit Log Patterns (BALP) for R4: one per
 * FHIR interaction (type {@code rest}, subtype the interaction) and one per outbound delivery attempt
 * (DICOM Export, subtype {@code transmit}). They hold ids, codes and addresses only: never a name, an
 * NHS number or free text from a payload (a search's personal parameters are hidden, see {@link AuditQueries}).
 * An event is a handful of plain values ({@link AuditEventJson.Event}), cheap to make on the request thread; the audit
 * writer gives it its id and writes its JSON.
 */
final class AuditEvents {

	/** Network access point types (FHIR's network-type): a machine name, an IP address, a URI. */
	private static final String MACHINE_NAME = "1";
	private static final String IP_ADDRESS = "2";
	private static final String URI = "5";

	private final String observer;

	/** @param observer the gateway's name in {@code source.observer} and the server agent */
	AuditEvents(String observer) {
		this.observer = observer;
	}

	/** The event of one FHIR request that ended with {@code status}, listing the stored versions given. */
	Event rest(RequestAudit request, int status, List<RequestAudit.Touched> stored) {
		String interaction = request.interaction != null ? request.interaction : interactionFromMethod(request);
		List<Code> subtypes = new ArrayList<>(2);
		subtypes.add(new Code(AuditCodes.RESTFUL_INTERACTION, interaction, null));
		if (request.operation != null) {
			subtypes.add(new Code(AuditCodes.SP_OPERATION, request.operation.replaceFirst("^\\$", ""), null));
		}
		Caller caller = request.caller;
		List<Agent> agents = new ArrayList<>(4);
		client(agents, caller, request.clientAddress);
		// The configured public base URL is a URI (5); the connector's own address and port is an IP address (2).
		String serverAddress = request.serverAddress;
		agents.add(new Agent(AuditCodes.DESTINATION_ROLE, null, Ref.identifier(AuditCodes.GATEWAY_ID, observer), null, false, serverAddress,
				serverAddress == null ? null : serverAddress.contains("://") ? URI : IP_ADDRESS, false));

		List<Entity> entities = new ArrayList<>(6);
		String target = target(request);
		boolean targetListed = false;
		for (RequestAudit.Touched t : stored) {
			entities.add(resourceEntity(t.reference()));
			targetListed |= target != null && (t.reference().equals(target) || t.reference().startsWith(target + "/_history/"));
		}
		if (target != null && !targetListed) {
			entities.add(resourceEntity(target));
		}
		for (String patient : patients(request, stored)) {
			entities.add(new Entity(AuditCodes.PERSON, AuditCodes.PATIENT_ROLE, Ref.to(patient), null));
		}
		if (request.query != null && !request.query.isEmpty() && isQuery(interaction, request.httpMethod)) {
			entities.add(new Entity(AuditCodes.SYSTEM_OBJECT, AuditCodes.QUERY_ROLE, null, AuditQueries.redacted(request.query)));
		}
		ids(entities, request.requestId, request.correlationId);
		String outcome = status < 400 ? "0" : status < 500 ? "4" : "8";
		String reason = request.outcomeDescription;
		String outcomeDesc = status < 400 ? null : "HTTP " + status + (reason == null || reason.isBlank() ? "" : ": " + reason);
		return new Event(request.recorded, AuditCodes.REST, subtypes, action(interaction), outcome, outcomeDesc, agents, entities,
				caller != null && caller.breakGlass(), observer);
	}

	/** One attempt to deliver an outbox message (a notification, a feedback message) and how it ended. */
	Event transmit(Delivery delivery) {
		List<Code> subtypes = List.of(AuditCodes.TRANSMIT, new Code(AuditCodes.SP_DELIVERY, delivery.kind(), null));
		String outcome = delivery.delivered() ? "0" : delivery.gaveUp() ? "8" : "4";
		String outcomeDesc = delivery.delivered() ? null
				: (delivery.status() == null ? "" : "HTTP " + delivery.status() + ": ") + delivery.error() + (delivery.gaveUp() ? " (gave up)" : "");
		List<Agent> agents = List.of(
				new Agent(AuditCodes.SOURCE_ROLE, null, Ref.identifier(AuditCodes.GATEWAY_ID, observer), null, true, null, null, false),
				new Agent(AuditCodes.DESTINATION_ROLE, null, Ref.to(delivery.channel()), null, false, delivery.receiverHost(),
						delivery.receiverHost() == null ? null : MACHINE_NAME, false));
		List<Entity> entities = new ArrayList<>(4);
		if (delivery.subject() != null) {
			entities.add(resourceEntity(delivery.subject()));
		}
		if (delivery.patient() != null) {
			entities.add(new Entity(AuditCodes.PERSON, AuditCodes.PATIENT_ROLE, Ref.to(delivery.patient()), null));
		}
		ids(entities, delivery.requestId(), delivery.correlationId());
		// DICOM's Export is the exporting system reading its own record to send it: action R.
		return new Event(delivery.at(), AuditCodes.EXPORT, subtypes, "R", outcome, outcomeDesc, agents, entities, false, observer);
	}

	/**
	 * One outbox delivery attempt. {@code kind} is {@code notification} or {@code feedback}; {@code channel} the
	 * Subscription or Endpoint it went to; {@code subject} what it was about ({@code Task/1/_history/2}).
	 */
	record Delivery(Instant at, String kind, String channel, String subject, String patient, String receiverHost, String requestId,
			String correlationId, boolean delivered, boolean gaveUp, Integer status, String error) {}

	private static void client(List<Agent> agents, Caller caller, String address) {
		String networkType = address == null ? null : IP_ADDRESS;
		if (caller == null) {
			agents.add(new Agent(AuditCodes.SOURCE_ROLE, null, new Ref(null, null, null, "unauthenticated"), "unauthenticated", true, address,
					networkType, false));
			return;
		}
		Code role = caller.role() == null ? null : new Code(AuditCodes.SP_CLIENT_ROLE, caller.role().name().toLowerCase(Locale.ROOT), null);
		agents.add(new Agent(AuditCodes.SOURCE_ROLE, role, Ref.identifier(AuditCodes.CLIENT_ID, caller.clientId()), caller.clientId(), true,
				address, networkType, caller.breakGlass()));
		for (OrganisationId organisation : caller.organisations()) {
			agents.add(new Agent(AuditCodes.CLIENT_ORGANISATION, null, Ref.identifier(organisation.system(), organisation.value()), null, true,
					null, null, false));
		}
	}

	private static Entity resourceEntity(String reference) {
		return new Entity(AuditCodes.SYSTEM_OBJECT, AuditCodes.DOMAIN_RESOURCE, Ref.to(reference), null);
	}

	private static void ids(List<Entity> entities, String requestId, String correlationId) {
		if (requestId != null) {
			entities.add(new Entity(AuditCodes.X_REQUEST_ID, null, Ref.identifier(AuditCodes.REQUEST_ID, requestId), null));
		}
		if (correlationId != null) {
			entities.add(new Entity(AuditCodes.X_CORRELATION_ID, null, Ref.identifier(AuditCodes.CORRELATION_ID, correlationId), null));
		}
	}

	/** The resource the URL names ({@code Patient/1}, {@code Patient/1/_history/2}), or null. */
	static String target(RequestAudit request) {
		if (request.resourceType == null || request.resourceId == null) {
			return null;
		}
		String target = request.resourceType + "/" + request.resourceId;
		return request.versionId != null ? target + "/_history/" + request.versionId : target;
	}

	static List<String> patients(RequestAudit request, List<RequestAudit.Touched> stored) {
		Set<String> all = new LinkedHashSet<>(request.patients());
		for (RequestAudit.Touched t : stored) {
			if (t.patient() != null) {
				all.add(t.patient());
			}
		}
		if ("Patient".equals(request.resourceType) && request.resourceId != null) {
			all.add("Patient/" + request.resourceId);
		}
		return List.copyOf(all);
	}

	static boolean isQuery(String interaction, String method) {
		return interaction.startsWith("search") || interaction.startsWith("history") || interaction.equals("operation") && "GET".equals(method);
	}

	/** For a request refused before HAPI knew its interaction: the nearest one by HTTP method. */
	static String interactionFromMethod(RequestAudit request) {
		String[] segments = request.path == null ? new String[0] : request.path.replaceFirst("^/", "").split("/");
		boolean operation = segments.length > 0 && segments[segments.length - 1].startsWith("$");
		if (operation) {
			return "operation";
		}
		return switch (request.httpMethod) {
			case "GET", "HEAD" -> segments.length <= 1 || segments[0].isEmpty() ? "search-type" : "read";
			case "PUT" -> "update";
			case "PATCH" -> "patch";
			case "DELETE" -> "delete";
			default -> segments.length == 0 || segments[0].isEmpty() ? "transaction" : segments.length == 2 && "_search".equals(segments[1])
					? "search-type" : "create";
		};
	}

	/** BALP's actions: create C, read and vread R, update and patch U, delete D, search, operations and Bundles E. */
	static String action(String interaction) {
		return switch (interaction) {
			case "create" -> "C";
			case "read", "vread", "history-instance", "history-type", "history-system", "capabilities" -> "R";
			case "update", "patch" -> "U";
			case "delete" -> "D";
			default -> "E";
		};
	}
}
