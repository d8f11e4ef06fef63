package org.spgateway.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentNetworkType;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.spgateway.security.Caller;
import org.spgateway.security.OrganisationId;

/**
 * The model-based builder the gateway used before {@link AuditEventJson}, kept as the golden tests' reference: the direct
 * writer must give the same events (what an event is about comes from {@link AuditEvents}, shared by both). Builds the
 * gateway's AuditEvents in the shape of IHE Basic Audit Log Patterns (BALP) for R4: one per
 * FHIR interaction (type {@code rest}, subtype the interaction) and one per outbound delivery attempt
 * (DICOM Export, subtype {@code transmit}). They hold ids, codes and addresses only: never a name, an
 * NHS number or free text from a payload (a search's personal parameters are hidden, see {@link AuditQueries}).
 */
final class ModelAuditEvents {

	private static Coding c(AuditEventJson.Code code) {
		return new Coding(code.system(), code.code(), code.display());
	}

	private final String observer;

	/** @param observer the gateway's name in {@code source.observer} and the server agent */
	ModelAuditEvents(String observer) {
		this.observer = observer;
	}

	/** The event of one FHIR request that ended with {@code status}, listing the stored versions given. */
	AuditEvent rest(RequestAudit request, int status, List<RequestAudit.Touched> stored) {
		AuditEvent event = newEvent(request.recorded);
		event.setType(c(AuditCodes.REST));
		String interaction = request.interaction != null ? request.interaction : AuditEvents.interactionFromMethod(request);
		event.addSubtype(new Coding(AuditCodes.RESTFUL_INTERACTION, interaction, null));
		if (request.operation != null) {
			event.addSubtype(new Coding(AuditCodes.SP_OPERATION, request.operation.replaceFirst("^\\$", ""), null));
		}
		event.setAction(action(interaction));
		outcome(event, status, request.outcomeDescription);
		Caller caller = request.caller;
		client(event, caller, request.clientAddress);
		AuditEventAgentComponent server = event.addAgent().setRequestor(false);
		server.getType().addCoding(c(AuditCodes.DESTINATION_ROLE));
		server.setWho(new Reference().setIdentifier(new Identifier().setSystem(AuditCodes.GATEWAY_ID).setValue(observer)));
		if (request.serverAddress != null) {
			// The configured public base URL is a URI (5); the connector's own address and port is an IP address (2).
			server.getNetwork().setAddress(request.serverAddress)
					.setType(request.serverAddress.contains("://") ? AuditEventAgentNetworkType._5 : AuditEventAgentNetworkType._2);
		}
		source(event);

		String target = AuditEvents.target(request);
		boolean targetListed = false;
		for (RequestAudit.Touched t : stored) {
			resourceEntity(event, t.reference());
			targetListed |= target != null && (t.reference().equals(target) || t.reference().startsWith(target + "/_history/"));
		}
		if (target != null && !targetListed) {
			resourceEntity(event, target);
		}
		for (String patient : AuditEvents.patients(request, stored)) {
			AuditEventEntityComponent entity = event.addEntity();
			entity.setType(c(AuditCodes.PERSON)).setRole(c(AuditCodes.PATIENT_ROLE)).setWhat(new Reference(patient));
		}
		if (request.query != null && !request.query.isEmpty() && AuditEvents.isQuery(interaction, request.httpMethod)) {
			AuditEventEntityComponent query = event.addEntity();
			query.setType(c(AuditCodes.SYSTEM_OBJECT)).setRole(c(AuditCodes.QUERY_ROLE));
			query.setQuery(AuditQueries.redacted(request.query).getBytes(StandardCharsets.UTF_8));
		}
		ids(event, request.requestId, request.correlationId);
		if (caller != null && caller.breakGlass()) {
			event.addPurposeOfEvent(new CodeableConcept(c(AuditCodes.BREAK_GLASS)));
		}
		return event;
	}

	/** One attempt to deliver an outbox message (a notification, a feedback message) and how it ended. */
	AuditEvent transmit(AuditEvents.Delivery delivery) {
		AuditEvent event = newEvent(delivery.at());
		event.setType(c(AuditCodes.EXPORT));
		event.addSubtype(c(AuditCodes.TRANSMIT));
		event.addSubtype(new Coding(AuditCodes.SP_DELIVERY, delivery.kind(), null));
		// DICOM's Export is the exporting system reading its own record to send it: action R.
		event.setAction(AuditEventAction.R);
		if (delivery.delivered()) {
			event.setOutcome(AuditEventOutcome._0);
		} else {
			event.setOutcome(delivery.gaveUp() ? AuditEventOutcome._8 : AuditEventOutcome._4);
			event.setOutcomeDesc((delivery.status() == null ? "" : "HTTP " + delivery.status() + ": ") + delivery.error()
					+ (delivery.gaveUp() ? " (gave up)" : ""));
		}
		AuditEventAgentComponent gateway = event.addAgent().setRequestor(true);
		gateway.getType().addCoding(c(AuditCodes.SOURCE_ROLE));
		gateway.setWho(new Reference().setIdentifier(new Identifier().setSystem(AuditCodes.GATEWAY_ID).setValue(observer)));
		AuditEventAgentComponent receiver = event.addAgent().setRequestor(false);
		receiver.getType().addCoding(c(AuditCodes.DESTINATION_ROLE));
		receiver.setWho(new Reference(delivery.channel()));
		if (delivery.receiverHost() != null) {
			receiver.getNetwork().setAddress(delivery.receiverHost()).setType(AuditEventAgentNetworkType._1);
		}
		source(event);
		if (delivery.subject() != null) {
			resourceEntity(event, delivery.subject());
		}
		if (delivery.patient() != null) {
			event.addEntity().setType(c(AuditCodes.PERSON)).setRole(c(AuditCodes.PATIENT_ROLE)).setWhat(new Reference(delivery.patient()));
		}
		ids(event, delivery.requestId(), delivery.correlationId());
		return event;
	}


	private static AuditEvent newEvent(Instant recorded) {
		AuditEvent event = new AuditEvent();
		event.setId(UUID.randomUUID().toString());
		event.setRecorded(Date.from(recorded));
		return event;
	}

	private static void client(AuditEvent event, Caller caller, String address) {
		AuditEventAgentComponent client = event.addAgent().setRequestor(true);
		client.getType().addCoding(c(AuditCodes.SOURCE_ROLE));
		if (caller == null) {
			client.setName("unauthenticated");
			client.setWho(new Reference().setDisplay("unauthenticated"));
		} else {
			client.setName(caller.clientId());
			client.setWho(new Reference().setIdentifier(new Identifier().setSystem(AuditCodes.CLIENT_ID).setValue(caller.clientId())));
			if (caller.role() != null) {
				client.addRole(new CodeableConcept(new Coding(AuditCodes.SP_CLIENT_ROLE, caller.role().name().toLowerCase(Locale.ROOT), null)));
			}
			if (caller.breakGlass()) {
				client.addPurposeOfUse(new CodeableConcept(c(AuditCodes.BREAK_GLASS)));
			}
		}
		if (address != null) {
			client.getNetwork().setAddress(address).setType(AuditEventAgentNetworkType._2);
		}
		if (caller != null) {
			for (OrganisationId organisation : caller.organisations()) {
				AuditEventAgentComponent acting = event.addAgent().setRequestor(true);
				acting.getType().addCoding(c(AuditCodes.CLIENT_ORGANISATION));
				acting.setWho(new Reference().setIdentifier(new Identifier().setSystem(organisation.system()).setValue(organisation.value())));
			}
		}
	}

	private void source(AuditEvent event) {
		event.getSource().setObserver(new Reference().setIdentifier(new Identifier().setSystem(AuditCodes.GATEWAY_ID).setValue(observer)))
				.addType(c(AuditCodes.APPLICATION_SERVER));
	}

	private static void resourceEntity(AuditEvent event, String reference) {
		event.addEntity().setType(c(AuditCodes.SYSTEM_OBJECT)).setRole(c(AuditCodes.DOMAIN_RESOURCE)).setWhat(new Reference(reference));
	}

	private static void ids(AuditEvent event, String requestId, String correlationId) {
		if (requestId != null) {
			event.addEntity().setType(c(AuditCodes.X_REQUEST_ID))
					.setWhat(new Reference().setIdentifier(new Identifier().setSystem(AuditCodes.REQUEST_ID).setValue(requestId)));
		}
		if (correlationId != null) {
			event.addEntity().setType(c(AuditCodes.X_CORRELATION_ID))
					.setWhat(new Reference().setIdentifier(new Identifier().setSystem(AuditCodes.CORRELATION_ID).setValue(correlationId)));
		}
	}

	private static void outcome(AuditEvent event, int status, String description) {
		if (status < 400) {
			event.setOutcome(AuditEventOutcome._0);
			return;
		}
		event.setOutcome(status < 500 ? AuditEventOutcome._4 : AuditEventOutcome._8);
		event.setOutcomeDesc("HTTP " + status + (description == null || description.isBlank() ? "" : ": " + description));
	}

	/** BALP's actions: create C, read and vread R, update and patch U, delete D, search, operations and Bundles E. */
	static AuditEventAction action(String interaction) {
		return switch (interaction) {
			case "create" -> AuditEventAction.C;
			case "read", "vread", "history-instance", "history-type", "history-system", "capabilities" -> AuditEventAction.R;
			case "update", "patch" -> AuditEventAction.U;
			case "delete" -> AuditEventAction.D;
			default -> AuditEventAction.E;
		};
	}
}
