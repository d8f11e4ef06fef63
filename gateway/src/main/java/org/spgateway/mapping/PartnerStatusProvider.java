package org.spgateway.mapping;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.spgateway.fhir.Outcomes;
import org.spgateway.mapping.PartnerStatusMessages.StatusChange;
import org.spgateway.resources.WriteContext;
import org.spgateway.security.RequestGate;
import org.spgateway.server.SystemProvider;

/**
 * A provider platform's status changes in its own words, translated by the partner's ConceptMap and applied through the Task's
 * lifecycle rules ({@link PartnerStatusUpdates}). Two entries: {@code POST /fhir/$partner-status?partner=[id]} takes the platform's
 * own flat JSON (read by its inbound status-update map; HAPI does not parse the body, it is not FHIR) or, when the body is FHIR (it
 * has a resourceType, or is XML), a Parameters naming the Task; {@code POST /fhir/Task/[id]/$partner-status} takes the Parameters
 * form for one Task. Only a client acting for the partner may post for it ({@link PartnerCallers}).
 */
public class PartnerStatusProvider implements SystemProvider {

	private static final ObjectMapper JSON = new ObjectMapper();

	private final PartnerStatusUpdates updates;
	private final PartnerStatusMessages messages;
	private final boolean sandbox;

	public PartnerStatusProvider(PartnerStatusUpdates updates, MapEngine engine, FhirContext fhirContext, boolean sandbox) {
		this.updates = updates;
		this.messages = new PartnerStatusMessages(updates.partners(), engine, fhirContext);
		this.sandbox = sandbox;
	}

	@Description(shortDefinition = "A provider platform's status word applied to a referral Task",
			value = "partner (the partner's id in mappings/), status (the platform's own word), note (its own words: the reason or outcome"
					+ " text). The partner's inbound status-update ConceptMap gives the Task's status, step and closing output; the Task's"
					+ " lifecycle rules apply (409 for a forbidden move). Answers the Task as stored. See docs/mappings.md.")
	@Operation(name = PartnerDefinition.PARTNER_STATUS, typeName = "Task", idempotent = false)
	public Resource partnerStatus(@IdParam IdType id,
			@OperationParam(name = "partner", min = 1, max = 1) StringType partner,
			@OperationParam(name = "status", min = 1, max = 1) CodeType status,
			@OperationParam(name = "note", min = 0, max = 1) StringType note,
			RequestDetails request) {
		if (partner == null || !partner.hasValue()) {
			throw Outcomes.invalid("$partner-status needs the partner's id: a 'partner' parameter", "Parameters.parameter");
		}
		if (status == null || !status.hasValue()) {
			throw Outcomes.invalid("$partner-status needs the partner's status word: a 'status' parameter", "Parameters.parameter");
		}
		StatusChange change = new StatusChange(partner.getValue(), id.getIdPart(), status.getValue(), note == null ? null : note.getValue(),
				PartnerStatusUpdates.IN_PARAMETERS);
		return apply(change, request);
	}

	@Description(shortDefinition = "A provider platform's status change in its own JSON (or a Parameters naming the Task)",
			value = "Query: partner, the partner's id (its folder in mappings/). Body: the platform's own JSON status change, as its logical"
					+ " model in mappings/ describes it, read by the partner's inbound status-update map; or a FHIR Parameters with task"
					+ " (Task/[id]), status, note. Answers the Task as stored; the Task's lifecycle rules apply (409 for a forbidden move)."
					+ " 403 when the client does not act for the partner. See docs/mappings.md.")
	@Operation(name = PartnerDefinition.PARTNER_STATUS, idempotent = false, manualRequest = true)
	public Resource partnerStatusMessage(RequestDetails request) {
		String[] ids = request.getParameters().get("partner");
		String query = ids == null || ids.length == 0 ? null : ids[0];
		byte[] bytes = request.loadRequestContents();
		String body = bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8).strip();
		if (body.isEmpty()) {
			throw Outcomes.invalid("$partner-status needs a body: the partner's own JSON status change, or a Parameters (task, status, note)",
					null);
		}
		StatusChange change;
		if (body.startsWith("<")) {
			change = messages.fromParameters(body, true);
		} else {
			JsonNode json;
			try {
				json = JSON.readTree(body);
			} catch (IOException e) {
				int line = e instanceof JsonProcessingException j && j.getLocation() != null ? j.getLocation().getLineNr() : 0;
				throw Outcomes.invalid("The body is not JSON" + (line > 0 ? " (line " + line + ")" : ""), null);
			}
			if (json != null && json.isObject() && json.has("resourceType")) {
				change = messages.fromParameters(body, false);
			} else {
				if (query == null || query.isBlank()) {
					throw Outcomes.invalid("Name the partner whose JSON this is: ?partner=[id], the partner's folder in mappings/", "partner");
				}
				PartnerDefinition partner = updates.partner(query, name -> "partner");
				requireCaller(partner, request, "partner");
				change = messages.fromJson(partner, json);
				return updates.apply(change.taskId(), partner, change.word(), change.note(), context(request), change.where()).resource();
			}
		}
		if (query != null && !query.isBlank()) {
			change = new StatusChange(query, change.taskId(), change.word(), change.note(), name -> "partner".equals(name) ? "partner"
					: PartnerStatusUpdates.IN_PARAMETERS.apply(name));
		}
		if (change.partnerId() == null || change.partnerId().isBlank()) {
			throw Outcomes.invalid("Name the partner: ?partner=[id] or a 'partner' parameter, the partner's folder in mappings/", "partner");
		}
		return apply(change, request);
	}

	private Resource apply(StatusChange change, RequestDetails request) {
		PartnerDefinition partner = updates.partner(change.partnerId(), change.where());
		requireCaller(partner, request, change.where().apply("partner"));
		return updates.apply(change.taskId(), partner, change.word(), change.note(), context(request), change.where()).resource();
	}

	private void requireCaller(PartnerDefinition partner, RequestDetails request, String expression) {
		if (!PartnerCallers.mayActFor(RequestGate.callerOf(request), partner, sandbox)) {
			throw PartnerCallers.refusal(partner, "post its status changes", expression);
		}
	}

	private static WriteContext context(RequestDetails request) {
		return new WriteContext(request, RequestGate.scopeOf(request), false);
	}
}
