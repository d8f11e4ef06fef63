package org.spgateway.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.StringType;

/**
 * How the gateway chained an event built as a HAPI model before {@link AuditEventJson}: kept for the tests that write
 * rows as an earlier version did (the upgrade tests) and compare the direct writer's hashes with the model path's.
 */
final class ModelAuditChain {

	private ModelAuditChain() {}

	/** Adds the chain extension with sequence and previous hash (no hash yet); the event is then encoded and {@link #seal}ed. */
	static void link(DomainResource event, long sequence, String previous) {
		event.getExtension().removeIf(e -> AuditChain.EXTENSION.equals(e.getUrl()));
		Extension chain = event.addExtension().setUrl(AuditChain.EXTENSION);
		chain.addExtension("sequence", new DecimalType(new BigDecimal(sequence)));
		chain.addExtension("previous", new StringType(previous));
	}

	/** Hashes an event already {@link #link}ed from its JSON as HAPI encodes it (without meta), and adds the hash to both. */
	static AuditChain.Sealed seal(DomainResource event, String previous, String encodedWithoutHash) {
		ObjectNode root = AuditChain.parse(encodedWithoutHash);
		String hash = AuditChain.hash(previous, AuditChain.canonical(root));
		event.getExtension().stream().filter(e -> AuditChain.EXTENSION.equals(e.getUrl())).findFirst()
				.orElseThrow(() -> new IllegalStateException("The event has no chain extension yet")).addExtension("hash", new StringType(hash));
		ObjectNode chain = AuditChain.chainNode(root);
		if (chain == null || !(chain.get("extension") instanceof ArrayNode parts)) {
			throw new IllegalStateException("The event was not linked before it was encoded");
		}
		parts.addObject().put("url", "hash").put("valueString", hash);
		return new AuditChain.Sealed(hash, root);
	}
}
