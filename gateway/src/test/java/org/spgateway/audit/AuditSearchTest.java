package org.spgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
				"entity=Patient/p1", "entity=Patient/p1/_history/2", "entity=p1", "patient=Patient/p1", "patient=p1");
	}

	@Test
	void keysAreStoredAsFingerprintsWithCodesApartAndStringStartsAsText() {
		String[] keys = AuditSearchKeys.of(event());
		AuditSearchKeys.Columns columns = AuditSearchKeys.columns(keys);
		assertThat(columns.codeHashes()).contains(AuditSearchKeys.hash("type=rest"), AuditSearchKeys.hash("subtype=read"),
				AuditSearchKeys.hash("action=R")).doesNotContain(AuditSearchKeys.hash("outcome=4"), AuditSearchKeys.hash("patient=Patient/p1"));
		assertThat(columns.keyHashes()).contains(AuditSearchKeys.hash("outcome=4"), AuditSearchKeys.hash("patient=Patient/p1"),
				AuditSearchKeys.hash("agent:identifier=demo-gp"), AuditSearchKeys.hash("agent-name:exact=Demo-GP"), AuditSearchKeys.hash("entity=p1"))
				.doesNotContain(AuditSearchKeys.hash("type=rest"), AuditSearchKeys.hash("agent-name=demo-gp"));
		assertThat(columns.names()).containsExactly("agent-name=demo-gp");
		assertThat(columns.keyHashes().length + columns.codeHashes().length + columns.names().length).isEqualTo(keys.length);
		// The fingerprint is fixed: rows stored by one version are found by the next.
		assertThat(AuditSearchKeys.hash("outcome=4")).isEqualTo(AuditSearchKeys.hash(new String("outcome=4")))
				.isNotEqualTo(AuditSearchKeys.hash("outcome=8"));
		assertThat(AuditSearchKeys.parameter("source:identifier=https://spgateway.org/fhir/Id/gateway|gw")).isEqualTo("source");
		assertThat(AuditSearchKeys.parameter("entity=Task/1")).isEqualTo("entity");
	}

	@Test
	void aCodeParameterIsLookedForInTheCodes() {
		AuditSearch search = AuditSearch.parse(Map.of("subtype", new String[] {"read,vread"}), 20, 100);
		assertThat(search.where).isEqualTo("code_hashes && ?::bigint[]");
		assertThat((long[]) search.args.get(0)).containsExactly(AuditSearchKeys.hash("subtype=read"), AuditSearchKeys.hash("subtype=vread"));
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
		assertThat((long[]) search.args.get(0)).containsExactly(AuditSearchKeys.hash("outcome=4"), AuditSearchKeys.hash("outcome=8"));
		assertThat((long[]) search.args.get(1)).containsExactly(AuditSearchKeys.hash("patient=Patient/p1"));
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
