package org.spgateway.resources;

import org.hl7.fhir.r4.model.Resource;
import org.spgateway.store.StoredResource;

/**
 * A capability that owns the writes of one resource type, such as referral intake for ServiceRequest
 * or outcome capture for QuestionnaireResponse. The REST providers (create, update, conditional update,
 * patch) and the transaction processor hand every create and update of that type to its handler
 * instead of storing it directly, so one service decides what happens whichever way the resource
 * arrives.
 *
 * <p>Handlers receive resources that have already passed base and profile validation, run inside the
 * caller's database transaction when there is one (a transaction Bundle), and store through
 * {@link ResourceService#createNow} / {@link ResourceService#updateNow} so that change listeners fire.
 */
public interface ResourceWriteHandler {

	String resourceType();

	WriteOutcome create(IncomingResource incoming, String ifNoneExist, WriteContext context);

	WriteOutcome update(String id, IncomingResource incoming, Integer expectedVersion, WriteContext context);

	/**
	 * For $validate: the problems the handler would refuse this (already base- and profile-valid)
	 * resource for, stored nowhere. Handlers whose rules need more than the resource may leave this out.
	 */
	default java.util.List<org.spgateway.validation.ValidationIssue> check(org.hl7.fhir.r4.model.Resource resource, WriteContext context) {
		return java.util.List.of();
	}

	/**
	 * The stored resource an incoming create is the same as (matched on a business identifier, such as
	 * an NHS number or an ODS code), or null. A transaction asks before it assigns ids, so that other
	 * entries refer to the stored resource and no duplicate is written; {@link #create} must come to the
	 * same answer for the same resource. {@code ifNoneExist} is the entry's own condition, already
	 * searched without a match (null when it had none).
	 */
	default StoredResource findExisting(Resource resource, String ifNoneExist, WriteContext context) {
		return null;
	}
}
