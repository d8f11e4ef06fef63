package org.spgateway.testsupport;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.spgateway.security.Caller;
import org.spgateway.security.CallerResolver;
import org.spgateway.security.OrganisationId;
import org.spgateway.security.Role;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * TEST ONLY, until authentication is merged: a CallerResolver that trusts {@code Authorization: Bearer test:<clientId>}
 * and binds the sandbox demo clients as issue 11 names them. Pass it to {@link GatewayServer#startWith}; with real
 * tokens, {@link GatewayServer#tokenFor} changes and this class goes.
 */
@Configuration(proxyBeanMethods = false)
public class TestCallers {

	public static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	public static final String DIRECTORY = "https://spgateway.org/fhir/Id/directory-organization";

	private static final Map<String, Caller> CLIENTS = Map.of(
			"demo-gp", caller("demo-gp", Role.REFERRER, new OrganisationId(ODS, "A99901")),
			"demo-gp2", caller("demo-gp2", Role.REFERRER, new OrganisationId(ODS, "A99902")),
			"demo-provider", caller("demo-provider", Role.PROVIDER, new OrganisationId(ODS, "X99901")),
			"demo-community", caller("demo-community", Role.COMMUNITY, new OrganisationId(DIRECTORY, "VCS-0001"),
					new OrganisationId(DIRECTORY, "VCS-0002"), new OrganisationId(DIRECTORY, "VCS-0003")),
			"demo-tester", caller("demo-tester", Role.TESTER),
			"demo-admin", caller("demo-admin", Role.ADMINISTRATOR),
			"demo-commissioner", caller("demo-commissioner", Role.COMMISSIONER));

	@Bean
	@Primary
	CallerResolver testCallerResolver() {
		return TestCallers::resolve;
	}

	static Caller resolve(RequestDetails request) {
		String authorization = request.getHeader("Authorization");
		if (authorization == null || !authorization.startsWith("Bearer test:")) {
			return null;
		}
		return CLIENTS.get(authorization.substring("Bearer test:".length()));
	}

	private static Caller caller(String clientId, Role role, OrganisationId... organisations) {
		return new Caller(clientId, role, List.of(organisations), Set.of("system/*.cruds"), false);
	}
}
