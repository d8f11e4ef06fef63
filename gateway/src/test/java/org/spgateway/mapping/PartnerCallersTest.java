package org.spgateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.spgateway.mapping.PartnerDefinition.Channel;
import org.spgateway.mapping.PartnerDefinition.Delivery;
import org.spgateway.mapping.PartnerDefinition.Direction;
import org.spgateway.mapping.PartnerDefinition.OrganizationIdentifier;
import org.spgateway.mapping.PartnerDefinition.Payload;
import org.spgateway.security.Caller;
import org.spgateway.security.OrganisationId;
import org.spgateway.security.Role;

/** Who may post a partner's own messages: {@link PartnerCallers}. */
class PartnerCallersTest {

	private static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	private static final PartnerDefinition CASEBOOK = new PartnerDefinition("casebook-provider", "partner.yaml", "Casebook", PartnerDefinition.Role.PROVIDER,
			List.of(new OrganizationIdentifier(ODS, "X99931")), List.of(Direction.INBOUND), List.of(),
			new Delivery(Channel.POLLING, null, Map.of(), List.of(), Payload.FULL, false, null));

	private static Caller caller(Role role, boolean breakGlass, String... ods) {
		return new Caller("client", role, Arrays.stream(ods).map(v -> new OrganisationId(ODS, v)).toList(), Set.of(), breakGlass);
	}

	@Test
	void aClientBoundToOneOfThePartnersOrganisationsMayActForIt() {
		assertThat(PartnerCallers.mayActFor(caller(Role.PROVIDER, false, "X99901", "X99931"), CASEBOOK, false)).isTrue();
	}

	@Test
	void aClientOfAnotherOrganisationOrNoneMayNot() {
		assertThat(PartnerCallers.mayActFor(caller(Role.PROVIDER, false, "X99901"), CASEBOOK, true)).isFalse();
		assertThat(PartnerCallers.mayActFor(caller(Role.COMMISSIONER, false), CASEBOOK, true)).isFalse();
		assertThat(PartnerCallers.mayActFor(caller(Role.COMMUNITY, false, "VCS-0001"), CASEBOOK, true)).isFalse();
	}

	@Test
	void anAdministratorOnlyOnBreakGlassAndATesterOnlyInTheSandbox() {
		assertThat(PartnerCallers.mayActFor(caller(Role.ADMINISTRATOR, true), CASEBOOK, false)).isTrue();
		assertThat(PartnerCallers.mayActFor(caller(Role.ADMINISTRATOR, false), CASEBOOK, true)).isFalse();
		assertThat(PartnerCallers.mayActFor(caller(Role.TESTER, false), CASEBOOK, true)).isTrue();
		assertThat(PartnerCallers.mayActFor(caller(Role.TESTER, false), CASEBOOK, false)).isFalse();
	}

	@Test
	void theRefusalIsAForbiddenIssueNamingThePartnerAndWhereItWasNamed() {
		ForbiddenOperationException refusal = PartnerCallers.refusal(CASEBOOK, "post its status changes", "partner");
		assertThat(refusal.getStatusCode()).isEqualTo(403);
		assertThat(refusal.getMessage()).contains("casebook-provider").contains("X99931");
	}
}
