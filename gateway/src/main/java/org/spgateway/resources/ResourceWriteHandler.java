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
}
