package org.spgateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {

	private static final OrganisationId GP = new OrganisationId("https://fhir.nhs.uk/Id/ods-organization-code", "A99901");

	private final AccessPolicy sandbox = new AccessPolicy(true);
	private final AccessPolicy live = new AccessPolicy(false);

	@Test
	void partnersSeeThePublicTypesAndWhatTheirOrganisationsAreGranted() {
		AccessScope.SqlPredicate predicate = live.scopeFor(caller(Role.REFERRER, false, GP)).predicate();
		assertThat(predicate.sql()).contains("resource_access").contains("a.res_pk = r.res_pk");
		assertThat(Arrays.asList((String[]) predicate.args().get(0))).contains("Organization", "HealthcareService", "StructureDefinition")
				.doesNotContain("Patient", "Endpoint", "Subscription");
		assertThat((String[]) predicate.args().get(1)).containsExactly(GP.key());
	}

	@Test
	void aTesterSeesEverythingInSandboxModeAndOnlyConformanceOutsideIt() {
		assertThat(sandbox.scopeFor(caller(Role.TESTER, false))).isSameAs(AccessScope.UNRESTRICTED);
		AccessScope.SqlPredicate predicate = live.scopeFor(caller(Role.TESTER, false)).predicate();
		assertThat(predicate.sql()).isEqualTo("r.res_type = ANY(?)");
		assertThat(Set.of((String[]) predicate.args().get(0))).isEqualTo(AccessTypes.CONFORMANCE);
	}

	@Test
	void anAdministratorSeesWhatItManagesAndEverythingOnlyByBreakGlass() {
		AccessScope.SqlPredicate predicate = live.scopeFor(caller(Role.ADMINISTRATOR, false)).predicate();
		assertThat(Set.of((String[]) predicate.args().get(0))).contains("Endpoint", "Subscription", "AuditEvent", "Organization")
				.doesNotContain("Patient", "ServiceRequest", "Task");
		assertThat(live.scopeFor(caller(Role.ADMINISTRATOR, true))).isSameAs(AccessScope.UNRESTRICTED);
	}

	@Test
	void aCommissionerSeesNoClinicalData() {
		AccessScope.SqlPredicate predicate = sandbox.scopeFor(caller(Role.COMMISSIONER, true)).predicate();
		assertThat(Set.of((String[]) predicate.args().get(0))).isEqualTo(AccessTypes.AUTHENTICATED).doesNotContain("Patient");
	}

	@Test
	void aRequestWithoutACallerSeesOnlyConformanceResources() {
		AccessScope scope = live.scopeFor(null);
		assertThat(Set.of((String[]) scope.predicate().args().get(0))).isEqualTo(AccessTypes.CONFORMANCE);
	}

	@Test
	void aSubscriptionOwnerReachIsItsOrganisationsOrAMarker() {
		assertThat(live.ownerKeys(caller(Role.PROVIDER, false, GP))).containsExactly(GP.key());
		assertThat(sandbox.ownerKeys(caller(Role.TESTER, false))).containsExactly(AccessPolicy.READS_EVERYTHING);
		assertThat(live.ownerKeys(caller(Role.ADMINISTRATOR, false))).containsExactly(AccessPolicy.READS_ADMINISTERED);
		assertThat(AccessPolicy.ownerMayRead(Set.of(GP.key()), "Task", false)).isFalse();
		assertThat(AccessPolicy.ownerMayRead(Set.of(GP.key()), "Task", true)).isTrue();
		assertThat(AccessPolicy.ownerMayRead(Set.of(GP.key()), "HealthcareService", false)).isTrue();
		assertThat(AccessPolicy.ownerMayRead(Set.of(AccessPolicy.READS_ADMINISTERED), "Task", true)).isFalse();
		assertThat(AccessPolicy.ownerMayRead(Set.of(AccessPolicy.READS_ADMINISTERED), "Endpoint", false)).isTrue();
		assertThat(AccessPolicy.ownerMayRead(Set.of(AccessPolicy.READS_EVERYTHING), "Patient", false)).isTrue();
		assertThat(AccessPolicy.ownerMayRead(Set.of(), "Patient", false)).isFalse();
	}

	private static Caller caller(Role role, boolean breakGlass, OrganisationId... organisations) {
		return new Caller("client", role, List.of(organisations), Set.of(), breakGlass);
	}
}
