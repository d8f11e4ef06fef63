package org.spgateway.mapping;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StructureMap;
import org.spgateway.conformance.ConformanceException;
import org.spgateway.fhir.Outcomes;
import org.spgateway.mapping.PartnerDefinition.Direction;
import org.spgateway.mapping.PartnerDefinition.MapUse;
import org.spgateway.mapping.PartnerDefinition.Message;
import org.spgateway.security.RequestGate;
import org.spgateway.transaction.TransactionProcessor;

/**
 * Referrals in a partner's own JSON: the partner's inbound map (whose source is the logical model of that JSON) makes a transaction
 * of the person and the gateway's referral, and the transaction goes through {@link TransactionProcessor} like any other, so the
 * referral is validated, routed, checked for eligibility, recognised as a resend by its identifier (the partner's case reference)
 * and stored with its Task and Provenance. Nothing is stored when the JSON or the map fails.
 */
public class PartnerReferrals {

	private final Partners partners;
	private final MapEngine engine;
	private final InboundMappings inbound;
	private final TransactionProcessor transactions;
	private final FhirContext fhirContext;
	private final boolean sandbox;

	PartnerReferrals(Partners partners, MapEngine engine, InboundMappings inbound, TransactionProcessor transactions, FhirContext fhirContext,
			boolean sandbox) {
		this.sandbox = sandbox;
		this.partners = partners;
		this.engine = engine;
		this.inbound = inbound;
		this.transactions = transactions;
		this.fhirContext = fhirContext;
		check();
	}

	/**
	 * A partner's inbound referral map reads its own JSON exactly when the descriptor names the endpoint it is posted to, so that a map
	 * over a logical model is never asked to read a FHIR referral (or the reverse) on a partner's first message.
	 */
	private void check() {
		for (PartnerDefinition partner : partners.all()) {
			for (MapUse use : partner.maps()) {
				if (use.structureMap() == null || use.direction() != Direction.INBOUND || use.message() != Message.REFERRAL) {
					continue;
				}
				StructureMap map = engine.byUrl(use.structureMap()).orElseThrow();
				if (engine.readsJson(map) && use.endpoint() == null) {
					throw new ConformanceException(partner.source(), "has the inbound referral map " + map.getUrl() + ", which reads the logical model "
							+ engine.sourceType(map) + ": name the endpoint its JSON is posted to (endpoint: " + PartnerDefinition.PARTNER_REFERRAL + ")");
				}
				if (!engine.readsJson(map) && use.endpoint() != null) {
					throw new ConformanceException(partner.source(), "names the endpoint " + use.endpoint() + " for the inbound referral map "
							+ map.getUrl() + ", which reads FHIR (" + engine.sourceType(map) + "): FHIR referrals come through the usual interactions");
				}
				if (engine.readsJson(map) && !"Bundle".equals(targetType(map))) {
					throw new ConformanceException(partner.source(), "has the inbound referral map " + map.getUrl() + ", which makes a "
							+ targetType(map) + ": a map from a partner's JSON makes a transaction Bundle (the person and the referral)");
				}
			}
		}
	}

	private String targetType(StructureMap map) {
		return engine.targetType(map);
	}

	/** The partner named in the query, with a referral map over its own JSON. */
	PartnerDefinition partner(String id) {
		if (id == null || id.isBlank()) {
			throw Outcomes.invalid("Name the partner whose JSON this is: ?partner=[id], the partner's folder in mappings/", "partner");
		}
		PartnerDefinition partner = partners.byId(id)
				.orElseThrow(() -> Outcomes.invalid("There is no partner '" + id + "' (the partners are "
						+ String.join(", ", partners.all().stream().map(PartnerDefinition::id).toList()) + ")", "partner"));
		if (partner.jsonReferralMap().isEmpty()) {
			throw Outcomes.invalid(partner.name() + " does not send referrals as its own JSON (its partner.yaml names no inbound referral map"
					+ " with endpoint " + PartnerDefinition.PARTNER_REFERRAL + ")", "partner");
		}
		return partner;
	}

	/** Whether the caller may send this partner's referrals ({@link PartnerCallers}). */
	boolean mayPostFor(PartnerDefinition partner, RequestDetails request) {
		return PartnerCallers.mayActFor(RequestGate.callerOf(request), partner, sandbox);
	}

	BaseServerResponseException notJson(PartnerDefinition partner, int line) {
		return Outcomes.invalid("The body is not JSON" + (line > 0 ? " (line " + line + ")" : "") + ": " + partner.name()
				+ " sends a JSON object as described in mappings/" + partner.id(), null);
	}

	/** Translates and takes the referral; the answer is the transaction-response. */
	Bundle take(PartnerDefinition partner, JsonNode json, RequestDetails request) {
		StructureMap map = engine.byUrl(partner.jsonReferralMap().orElseThrow()).orElseThrow();
		Resource made;
		try {
			made = engine.fromJson(map, json);
		} catch (LogicalJson.Problem problem) {
			throw Outcomes.unprocessable(problem.getMessage(), problem.path());
		} catch (MappingFailure failure) {
			throw Outcomes.unprocessable(failure.getMessage(), null);
		}
		Bundle transaction = (Bundle) made;
		if (transaction.getType() != Bundle.BundleType.TRANSACTION) {
			throw Outcomes.unprocessable("The map " + map.getName() + " (" + map.getUrl() + ") did not make a transaction Bundle", null);
		}
		for (Bundle.BundleEntryComponent entry : transaction.getEntry()) {
			if (entry.getResource() instanceof ServiceRequest referral && !selfReferral(transaction, referral)) {
				Optional<PartnerDefinition> sender = inbound.senderOf(referral);
				if (sender.isEmpty() || !sender.get().id().equals(partner.id())) {
					throw Outcomes.unprocessable("The referral says it is from " + describe(referral) + ", which " + partner.name()
							+ " does not speak for (its organizations in mappings/" + partner.id() + "/partner.yaml)", null);
				}
			}
		}
		// Validated as sent like any transaction: the map's Bundle is the body the intake sees.
		String body = fhirContext.newJsonParser().encodeResourceToString(transaction);
		return transactions.process(transaction, body, EncodingEnum.JSON, request);
	}

	/** A self-referral (a web form's): the requester is the person, an entry of the same transaction, and names no organisation. */
	private static boolean selfReferral(Bundle transaction, ServiceRequest referral) {
		String requester = referral.getRequester().getReference();
		return requester != null && !referral.getRequester().hasIdentifier() && transaction.getEntry().stream()
				.anyMatch(e -> requester.equals(e.getFullUrl()) && e.getResource() instanceof Patient);
	}

	private static String describe(ServiceRequest referral) {
		if (!referral.getRequester().hasIdentifier()) {
			return "no organisation";
		}
		return "the organisation " + referral.getRequester().getIdentifier().getSystem() + "|" + referral.getRequester().getIdentifier().getValue();
	}
}
