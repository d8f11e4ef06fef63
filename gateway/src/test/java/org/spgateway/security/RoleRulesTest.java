package org.spgateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.spgateway.security.RoleRules.Rule;

class RoleRulesTest {

	@Test
	void aTesterOutsideSandboxOnlyValidatesTranslatesTransformsAndReadsConformance() {
		assertThat(RoleRules.refusal(Role.TESTER, false, "POST", "Patient", "$validate")).isNull();
		assertThat(RoleRules.refusal(Role.TESTER, false, "POST", "ConceptMap", "$translate")).isNull();
		assertThat(RoleRules.refusal(Role.TESTER, false, "POST", "StructureMap", "$transform")).isNull();
		assertThat(RoleRules.refusal(Role.TESTER, false, "GET", "StructureDefinition", null)).isNull();
		assertThat(RoleRules.refusal(Role.TESTER, false, "GET", null, "metadata")).isNull();
		assertThat(RoleRules.refusal(Role.TESTER, false, "GET", "StructureDefinition", "_history")).isNull();
		assertThat(RoleRules.refusal(Role.TESTER, false, "GET", "Patient", null)).isEqualTo(Rule.TESTER_OUTSIDE_SANDBOX);
		assertThat(RoleRules.refusal(Role.TESTER, false, "POST", "Patient", null)).isEqualTo(Rule.TESTER_OUTSIDE_SANDBOX);
		assertThat(RoleRules.refusal(Role.TESTER, false, "POST", null, "$process-message")).isEqualTo(Rule.TESTER_OUTSIDE_SANDBOX);
		assertThat(RoleRules.refusal(Role.TESTER, true, "POST", null, "$process-message")).isNull();
	}

	@Test
	void aCommissionerOnlyReads() {
		assertThat(RoleRules.refusal(Role.COMMISSIONER, false, "GET", "HealthcareService", null)).isNull();
		assertThat(RoleRules.refusal(Role.COMMISSIONER, false, "POST", "HealthcareService", "_search")).isNull();
		assertThat(RoleRules.refusal(Role.COMMISSIONER, false, "GET", null, "metadata")).isNull();
		assertThat(RoleRules.refusal(Role.COMMISSIONER, false, "GET", "Organization", "_history")).isNull();
		assertThat(RoleRules.refusal(Role.COMMISSIONER, false, "PUT", "Patient", null)).isEqualTo(Rule.COMMISSIONER_READS_ONLY);
		assertThat(RoleRules.refusal(Role.COMMISSIONER, false, "GET", "Task", "$overdue")).isEqualTo(Rule.COMMISSIONER_READS_ONLY);
	}

	@Test
	void anAdministratorChangesOnlyWhatItManages() {
		assertThat(RoleRules.refusal(Role.ADMINISTRATOR, false, "PUT", "HealthcareService", null)).isNull();
		assertThat(RoleRules.refusal(Role.ADMINISTRATOR, false, "POST", "Endpoint", null)).isNull();
		assertThat(RoleRules.refusal(Role.ADMINISTRATOR, false, "POST", "Subscription", "$redrive")).isNull();
		assertThat(RoleRules.refusal(Role.ADMINISTRATOR, false, "GET", "Patient", null)).isNull();
		assertThat(RoleRules.refusal(Role.ADMINISTRATOR, false, "GET", null, "metadata")).isNull();
		assertThat(RoleRules.refusal(Role.ADMINISTRATOR, false, "PUT", "Task", null)).isEqualTo(Rule.ADMINISTRATOR_MANAGES_ONLY);
		assertThat(RoleRules.refusal(Role.ADMINISTRATOR, false, "POST", null, null)).isEqualTo(Rule.ADMINISTRATOR_MANAGES_ONLY);
	}

	@Test
	void partnersWorkReferralsButLeaveTheDirectoryToAdministrators() {
		assertThat(RoleRules.refusal(Role.REFERRER, false, "POST", "ServiceRequest", null)).isNull();
		assertThat(RoleRules.refusal(Role.PROVIDER, false, "PUT", "Task", null)).isNull();
		assertThat(RoleRules.refusal(Role.COMMUNITY, false, "POST", null, null)).isNull();
		assertThat(RoleRules.refusal(Role.PROVIDER, false, "GET", "Organization", null)).isNull();
		assertThat(RoleRules.refusal(Role.PROVIDER, false, "POST", "Organization", null)).isEqualTo(Rule.DIRECTORY_BY_ADMINISTRATOR);
		assertThat(RoleRules.refusal(Role.REFERRER, false, "PUT", "Endpoint", null)).isEqualTo(Rule.DIRECTORY_BY_ADMINISTRATOR);
	}
}
