package org.spgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.math.BigDecimal;
import java.util.Date;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

class AuditChainTest {

	static final IParser JSON = FhirContext.forR4Cached().newJsonParser();

	@Test
	void theCanonicalFormSortsKeysAndDropsWhiteSpace() {
		assertThat(AuditChain.canonical("{ \"b\" : [ true, null, \"x\" ],\n \"a\": 1 }")).isEqualTo("{\"a\":1,\"b\":[true,null,\"x\"]}");
		assertThat(AuditChain.canonical("{\"z\":{\"y\":2.50,\"x\":\"é\\u0001\"}}")).isEqualTo("{\"z\":{\"x\":\"é\\u0001\",\"y\":2.50}}");
	}

	@Test
	void theHashIsSha256OfThePreviousHashANewlineAndTheCanonicalForm() {
		// Computed independently: python3 hashlib.sha256(('0' * 64 + '\n' + '{"a":1,"b":[true,null,"x"]}').encode()).hexdigest()
		assertThat(AuditChain.hash(AuditChain.GENESIS, AuditChain.canonical("{\"b\":[true,null,\"x\"],\"a\":1}")))
				.isEqualTo("dbd176a6ac2f9486b58e057d95b0bd2bd263061b2bc581dc0823e0649f65ef49");
	}

	@Test
	void theStoresMetaAndTheHashItselfAreOutsideTheCanonicalForm() {
		String stored = "{\"resourceType\":\"AuditEvent\",\"meta\":{\"versionId\":\"1\",\"lastUpdated\":\"2026-12-04T23:00:00Z\"},"
				+ "\"extension\":[{\"url\":\"" + AuditChain.EXTENSION + "\",\"extension\":[{\"url\":\"sequence\",\"valueDecimal\":7},"
				+ "{\"url\":\"previous\",\"valueString\":\"ab\"},{\"url\":\"hash\",\"valueString\":\"cd\"}]}]}";
		assertThat(AuditChain.canonical(stored)).isEqualTo("{\"extension\":[{\"extension\":[{\"url\":\"sequence\",\"valueDecimal\":7},"
				+ "{\"url\":\"previous\",\"valueString\":\"ab\"}],\"url\":\"" + AuditChain.EXTENSION + "\"}],\"resourceType\":\"AuditEvent\"}");
		assertThat(AuditChain.linkOf(stored)).isEqualTo(new AuditChain.Link(new BigDecimal(7), "ab", "cd"));
	}

	@Test
	void aSealedEventVerifiesAsStoredEvenReformattedAndFailsOnceChanged() {
		AuditEvent event = event();
		ModelAuditChain.link(event, 42, "f".repeat(64));
		String hash = ModelAuditChain.seal(event, "f".repeat(64), JSON.encodeResourceToString(event)).hash();
		event.getMeta().setVersionId("1").setLastUpdated(new Date());
		String stored = JSON.setPrettyPrint(true).encodeResourceToString(event);

		AuditChain.Link link = AuditChain.linkOf(stored);
		assertThat(link.sequence()).isEqualByComparingTo("42");
		assertThat(link.hash()).isEqualTo(hash);
		assertThat(AuditChain.hash(link.previous(), AuditChain.canonical(stored))).isEqualTo(hash);

		String changed = stored.replace("\"code\": \"C\"", "\"code\": \"R\"").replace("\"action\": \"C\"", "\"action\": \"R\"");
		assertThat(changed).isNotEqualTo(stored);
		assertThat(AuditChain.hash(link.previous(), AuditChain.canonical(changed))).isNotEqualTo(hash);
		// The same event after another previous hash is another link.
		assertThat(AuditChain.hash("e".repeat(64), AuditChain.canonical(stored))).isNotEqualTo(hash);
	}

	@Test
	void theJsonStoredForASealedEventIsTheEventWithItsMetaAndVerifies() {
		AuditEvent event = event();
		ModelAuditChain.link(event, 3, "b".repeat(64));
		AuditChain.Sealed sealed = ModelAuditChain.seal(event, "b".repeat(64), JSON.encodeResourceToString(event));
		String stored = sealed.stored("1", "2026-12-04T23:00:00.123+00:00");

		assertThat(stored).startsWith("{\"resourceType\":\"AuditEvent\",\"id\":\"e1\",\"meta\":{\"versionId\":\"1\"");
		AuditEvent read = JSON.parseResource(AuditEvent.class, stored);
		assertThat(read.getMeta().getVersionId()).isEqualTo("1");
		assertThat(read.getAction()).isEqualTo(AuditEvent.AuditEventAction.C);
		event.getMeta().setVersionId("1").setLastUpdated(read.getMeta().getLastUpdated());
		assertThat(JSON.setPrettyPrint(false).encodeResourceToString(read)).isEqualTo(JSON.encodeResourceToString(event));
		assertThat(AuditChain.hash("b".repeat(64), AuditChain.canonical(stored))).isEqualTo(sealed.hash());
		assertThat(AuditChain.linkOf(stored).hash()).isEqualTo(sealed.hash());
	}

	@Test
	void linkingAgainReplacesTheChainExtension() {
		AuditEvent event = event();
		ModelAuditChain.link(event, 1, AuditChain.GENESIS);
		ModelAuditChain.seal(event, AuditChain.GENESIS, JSON.encodeResourceToString(event));
		ModelAuditChain.link(event, 2, "a".repeat(64));
		assertThat(event.getExtension()).hasSize(1);
		assertThat(AuditChain.linkOf(JSON.encodeResourceToString(event))).isEqualTo(new AuditChain.Link(new BigDecimal(2), "a".repeat(64), null));
	}

	private static AuditEvent event() {
		AuditEvent event = new AuditEvent();
		event.setId("e1");
		event.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", null));
		event.setAction(AuditEvent.AuditEventAction.C);
		event.setRecorded(new Date(1_780_000_000_000L));
		event.addEntity().setWhat(new Reference("Patient/p1/_history/1"));
		return event;
	}
}
