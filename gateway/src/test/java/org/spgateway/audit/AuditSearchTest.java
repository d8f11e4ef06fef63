package org.spgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.spgateway.audit.AuditSearchKeys.hash;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

/** The keys an event is found by, and the SQL a search becomes: each value form of a parameter meets a key of the same form. */
class AuditSearchTest {

	private static AuditEvent event() {
		AuditEvent event = new AuditEvent();
		event.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", null));
		event.addSubtype(new Coding("http://hl7.org/fhir/restful-interaction", "read", null));
		event.setAction(AuditEvent.AuditEventAction.R);
		event.setOutcome(AuditEvent.AuditEventOutcome._4);
		event.addAgent().setName("Demo-GP").setWho(new Reference().setIdentifier(new Identifier().setSystem(AuditCodes.CLIENT_ID)
				.setValue("demo-gp")));
		event.addEntity().setWhat(new Reference("Patient/p1/_history/2"));
		event.addEntity().setWhat(new Reference("Patient/p1"));
		return event;
	}

	@Test
	void anEventIsFoundByEveryFormOfItsValues() {
		assertThat(AuditSearchKeys.of(event())).contains(
				"type=rest", "type=http://terminology.hl7.org/CodeSystem/audit-event-type|rest", "type=http://terminology.hl7.org/CodeSystem/audit-event-type|",
				"subtype=read", "action=R", "outcome=4", "outcome=" + AuditSearchKeys.OUTCOME_SYSTEM + "|4",
				"agent:identifier=" + AuditCodes.CLIENT_ID + "|demo-gp", "agent:identifier=demo-gp",
				"agent-name=demo-gp", "agent-name:exact=Demo-GP",
				"entity=Patient/p1", "entity=Patient/p1/_history/2", "patient=Patient/p1").doesNotContain("entity=p1", "patient=p1");
	}

	@Test
	void keysAreStoredAsFingerprintsWithCodesApartAndStringStartsAsText() {
		String[] keys = AuditSearchKeys.of(event());
		AuditSearchKeys.Columns columns = AuditSearchKeys.columns(keys);
		// Codes, a system alone and success go unindexed: nearly every event shares them.
		assertThat(columns.codeHashes()).contains(hash("type=rest"), hash("subtype=read"), hash("action=R"),
				hash("agent:identifier=" + AuditCodes.CLIENT_ID + "|"), hash("outcome=" + AuditSearchKeys.OUTCOME_SYSTEM + "|"))
				.doesNotContain(hash("outcome=4"), hash("patient=Patient/p1"));
		assertThat(columns.keyHashes()).contains(hash("outcome=4"), hash("patient=Patient/p1"), hash("agent:identifier=demo-gp"),
				hash("agent-name:exact=Demo-GP"), hash("entity=Patient/p1/_history/2"))
				.doesNotContain(hash("type=rest"), hash("agent-name=demo-gp"), hash("agent:identifier=" + AuditCodes.CLIENT_ID + "|"));
		assertThat(columns.names()).containsExactly("agent-name=demo-gp");
		assertThat(columns.keyHashes().length + columns.codeHashes().length + columns.names().length).isEqualTo(keys.length);
		// The fingerprint is fixed: rows stored by one version are found by the next.
		assertThat(hash("outcome=4")).isEqualTo(hash(new String("outcome=4"))).isNotEqualTo(hash("outcome=8"));
		assertThat(AuditSearchKeys.parameter("source:identifier=https://spgateway.org/fhir/Id/gateway|gw")).isEqualTo("source");
		assertThat(AuditSearchKeys.parameter("entity=Task/1")).isEqualTo("entity");
	}

	@Test
	void aCodeParameterIsLookedForInTheCodes() {
		AuditSearch search = AuditSearch.parse(Map.of("subtype", new String[] {"read,vread"}), 20, 100);
		assertThat(search.where).isEqualTo("code_hashes && ?::bigint[]");
		assertThat((long[]) search.args.get(0)).containsExactly(hash("subtype=read"), hash("subtype=vread"));
	}

	@Test
	void aValueOfACommonKeyIsLookedForInTheCodesAndABareIdWithEachType() {
		AuditSearch outcomes = AuditSearch.parse(Map.of("outcome", new String[] {"0,8"}), 20, 100);
		assertThat(outcomes.where).isEqualTo("(key_hashes && ?::bigint[] OR code_hashes && ?::bigint[])");
		assertThat((long[]) outcomes.args.get(0)).containsExactly(hash("outcome=8"));
		assertThat((long[]) outcomes.args.get(1)).containsExactly(hash("outcome=0"));
		assertThat((long[]) AuditSearch.parse(Map.of("patient", new String[] {"p1"}), 20, 100).args.get(0))
				.containsExactly(hash("patient=Patient/p1"));
		assertThat((long[]) AuditSearch.parse(Map.of("entity", new String[] {"t1"}), 20, 100).args.get(0))
				.contains(hash("entity=Task/t1"), hash("entity=Patient/t1"), hash("entity=Subscription/t1")).hasSizeGreaterThan(140);
	}

	@Test
	void aSearchBecomesOneConditionPerParameterWithItsValuesAsAlternatives() {
		Map<String, String[]> parameters = new LinkedHashMap<>();
		parameters.put("outcome", new String[] {"4,8"});
		parameters.put("patient", new String[] {"http://gateway.example/fhir/Patient/p1"});
		parameters.put("agent-name", new String[] {"Demo_"});
		parameters.put("date", new String[] {"ge2026-12-01", "lt2026-12-02"});
		parameters.put("_count", new String[] {"500"});
		AuditSearch search = AuditSearch.parse(parameters, 20, 100);
		assertThat(search.where).isEqualTo("key_hashes && ?::bigint[] AND key_hashes && ?::bigint[]"
				+ " AND EXISTS (SELECT 1 FROM unnest(names) k WHERE k LIKE ANY(?)) AND recorded >= ? AND recorded < ?");
		assertThat((long[]) search.args.get(0)).containsExactly(hash("outcome=4"), hash("outcome=8"));
		assertThat((long[]) search.args.get(1)).containsExactly(hash("patient=Patient/p1"));
		// LIKE's wildcards in a value are matched literally.
		assertThat((String[]) search.args.get(2)).containsExactly("agent-name=demo\\_%");
		assertThat(search.count).isEqualTo(100);
		assertThat(search.orderBy).isEqualTo("seq");
	}

	@Test
	void whatItCannotAnswerIsRefusedInPlainWords() {
		assertThatThrownBy(() -> AuditSearch.parse(Map.of("colour", new String[] {"red"}), 20, 100))
				.isInstanceOf(InvalidRequestException.class).hasMessageContaining("AuditEvent cannot be searched by 'colour'");
		assertThatThrownBy(() -> AuditSearch.parse(Map.of("outcome:not", new String[] {"0"}), 20, 100))
				.isInstanceOf(InvalidRequestException.class).hasMessageContaining(":not is not supported");
		assertThatThrownBy(() -> AuditSearch.parse(Map.of("date", new String[] {"ap2026"}), 20, 100))
				.isInstanceOf(InvalidRequestException.class).hasMessageContaining("'ap' is not supported");
		assertThatThrownBy(() -> AuditSearch.parse(Map.of("date", new String[] {"yesterday"}), 20, 100))
				.isInstanceOf(InvalidRequestException.class).hasMessageContaining("must be a date");
		assertThatThrownBy(() -> AuditSearch.parse(Map.of("_sort", new String[] {"outcome"}), 20, 100))
				.isInstanceOf(InvalidRequestException.class).hasMessageContaining("sorted by date or -date only");
		assertThat(AuditSearch.parse(Map.of("_tag", new String[] {"x|y"}), 20, 100).where).isEqualTo("FALSE");
		assertThat(List.of(AuditSearch.parse(Map.of("_sort", new String[] {"-date"}), 20, 100).orderBy)).containsExactly("recorded DESC, seq DESC");
	}
}
