package org.spgateway.resources;

/**
 * A capability that owns the writes of one resource type, such as referral intake for ServiceRequest
 * or outcome capture for QuestionnaireResponse. The REST providers and the transaction processor hand
 * every create and update of that type to its handler instead of storing it directly, so one service
 * decides what happens whichever way the resource arrives.
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
}
