package org.spgateway.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.security.AccessPolicy;
import org.spgateway.security.AccessScope;
import org.spgateway.security.Caller;
import org.spgateway.security.OrganisationId;
import org.spgateway.security.Role;
import org.spgateway.testsupport.GatewayServer;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The access predicate keeps a read and an identifier search on indexes: 60,000 people spread over 300 practices,
 * written straight into the store's tables (through the API this would take minutes), then the plans PostgreSQL
 * picks for the statements the store runs, with a practice's predicate.
 */
class AccessPlansIT {

	private static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	private static GatewayServer gateway;
	private static JdbcTemplate jdbc;
	private static AccessScope.SqlPredicate practice;

	@BeforeAll
	static void start() {
		gateway = GatewayServer.start();
		jdbc = gateway.bean(JdbcTemplate.class);
		jdbc.update("INSERT INTO resource (res_pk, res_type, res_id, version, last_updated)"
				+ " SELECT 10000000 + n, 'Patient', 'plan-' || n, 1, now() FROM generate_series(1, 60000) n");
		jdbc.update("INSERT INTO resource_version (res_pk, version, last_updated, method, content)"
				+ " SELECT 10000000 + n, 1, now(), 'POST', '{\"resourceType\":\"Patient\",\"id\":\"plan-' || n || '\"}' FROM generate_series(1, 60000) n");
		jdbc.update("INSERT INTO idx_token (res_pk, res_type, param, system, code)"
				+ " SELECT 10000000 + n, 'Patient', 'identifier', 'https://fhir.nhs.uk/Id/nhs-number', lpad(n::text, 10, '0')"
				+ " FROM generate_series(1, 60000) n");
		jdbc.update("INSERT INTO resource_access (res_pk, org_key)"
				+ " SELECT 10000000 + n, '" + ODS + "|P' || (n % 300) FROM generate_series(1, 60000) n");
		jdbc.execute("ANALYZE");
		Caller caller = new Caller("plan", Role.REFERRER, List.of(new OrganisationId(ODS, "P7")), Set.of(), false);
		practice = new AccessPolicy(false).scopeFor(caller).predicate();
	}

	@AfterAll
	static void stop() {
		gateway.close();
	}

	@Test
	void aReadUnderTheAccessPredicateIsTwoIndexLookups() {
		String plan = explain("SELECT r.res_pk FROM resource r JOIN resource_version v ON v.res_pk = r.res_pk AND v.version = r.version"
				+ " WHERE r.res_type = 'Patient' AND r.res_id = 'plan-307' AND (" + practice.sql() + ")");
		assertThat(plan).contains("Index Scan using resource_type_id").containsPattern("Index (Only )?Scan using resource_access_")
				.doesNotContain("Seq Scan");
	}

	@Test
	void anIdentifierSearchUnderTheAccessPredicateStartsFromTheIdentifier() {
		String plan = explain("SELECT r.res_pk FROM resource r WHERE r.res_type = 'Patient' AND r.res_pk IN (SELECT x.res_pk FROM idx_token x"
				+ " WHERE x.res_type = 'Patient' AND x.param = 'identifier' AND x.code = '0000000307' AND x.system = 'https://fhir.nhs.uk/Id/nhs-number')"
				+ " AND (" + practice.sql() + ") ORDER BY r.res_pk LIMIT 21");
		assertThat(plan).contains("Index Scan using idx_token_lookup").containsPattern("Index (Only )?Scan using resource_access_")
				.doesNotContain("Seq Scan");
	}

	private static String explain(String sql) {
		// The predicate's arguments inlined as the custom plan sees them: the public types and the practice's key.
		String inlined = sql.replaceFirst("ANY\\(\\?\\)", "ANY('{Organization,HealthcareService,StructureDefinition}'::text[])")
				.replaceFirst("ANY\\(\\?\\)", "ANY('{" + ODS + "|P7}'::text[])");
		String plan = String.join("\n", jdbc.queryForList("EXPLAIN (ANALYZE, COSTS OFF) " + inlined, String.class));
		return plan;
	}
}
