package org.spgateway.audit;

import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import java.math.BigDecimal;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.spgateway.fhir.Outcomes;
import org.spgateway.server.SystemProvider;

/** {@code AuditEvent/$verify-chain}: thin; {@link AuditChainVerifier} decides. */
public class AuditProvider implements SystemProvider {

	private final AuditChainVerifier verifier;

	public AuditProvider(AuditChainVerifier verifier) {
		this.verifier = verifier;
	}

	@Description(shortDefinition = "Verifies the audit trail's hash chain and names the first broken link",
			value = "Recomputes every AuditEvent's hash (sha256 of the previous hash and the event's canonical JSON) from the events as"
					+ " stored, in sequence order, from 'from' to 'to' (the whole chain by default). Answers valid true, or false with the"
					+ " first broken link: its sequence number, its AuditEvent and what differs. See docs/security.md#audit.")
	@Operation(name = "$verify-chain", typeName = "AuditEvent", idempotent = true)
	public Parameters verifyChain(
			@Description(shortDefinition = "The first sequence number to check (default 1)")
			@OperationParam(name = "from", min = 0, max = 1) DecimalType from,
			@Description(shortDefinition = "The last sequence number to check (default: the chain's head)")
			@OperationParam(name = "to", min = 0, max = 1) DecimalType to) {
		AuditChainVerifier.Verdict verdict = verifier.verify(sequence(from, "from"), sequence(to, "to"));
		Parameters result = new Parameters();
		result.addParameter().setName("valid").setValue(new BooleanType(verdict.valid()));
		result.addParameter().setName("from").setValue(new DecimalType(verdict.from()));
		result.addParameter().setName("to").setValue(new DecimalType(verdict.to()));
		result.addParameter().setName("checked").setValue(new DecimalType(verdict.checked()));
		result.addParameter().setName("head").setValue(new DecimalType(verdict.head()));
		if (verdict.broken() != null) {
			Parameters.ParametersParameterComponent broken = result.addParameter().setName("brokenLink");
			broken.addPart().setName("sequence").setValue(new DecimalType(verdict.broken().sequence()));
			if (verdict.broken().eventId() != null) {
				broken.addPart().setName("auditEvent").setValue(new Reference("AuditEvent/" + verdict.broken().eventId()));
			}
			broken.addPart().setName("problem").setValue(new StringType(verdict.broken().problem()));
		}
		return result;
	}

	private static Long sequence(DecimalType value, String name) {
		if (value == null || value.getValue() == null) {
			return null;
		}
		BigDecimal n = value.getValue();
		if (n.signum() < 0 || n.stripTrailingZeros().scale() > 0 || n.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
			throw Outcomes.invalid(name + " must be a sequence number: a whole number of 1 or more", null);
		}
		return n.longValueExact();
	}
}
