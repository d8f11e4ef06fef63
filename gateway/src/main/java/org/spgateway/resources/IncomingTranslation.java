package org.spgateway.resources;

import java.util.function.UnaryOperator;
import org.hl7.fhir.r4.model.Resource;

/**
 * A capability that turns a partner's dialect into the gateway's own shape before a write is validated
 * and handed to the type's write handler (partner mappings, mapping/). For a write it translates, the
 * body as sent is checked against the FHIR base specification only (it is FHIR, but not yet what the
 * gateway's profiles require), and the translated resource is validated in full: what intake, routing
 * and the store see is always the gateway's shape.
 */
public interface IncomingTranslation {

	/**
	 * The translation of this incoming create or update, or null when the resource is already in the gateway's shape.
	 *
	 * @param parsed  the resource as sent, parsed but not yet validated; not to be changed
	 * @param context where the write comes from (its headers say who sent it)
	 */
	Translation find(Resource parsed, WriteContext context);

	/**
	 * One translation.
	 *
	 * @param by    what translates, for the caller's information ("the map MeadowGpReferralInbound of partner meadow-gp")
	 * @param apply makes the gateway's resource from the one sent; throws an HTTP 422 exception naming the map and rule when it cannot
	 */
	record Translation(String by, UnaryOperator<Resource> apply) {}
}
