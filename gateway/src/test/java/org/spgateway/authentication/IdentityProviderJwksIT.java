package org.spgateway.authentication;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SandboxGateway;

/**
 * An identity provider configured the way Keycloak or Entra ID is: by its issuer and JWKS URI. The
 * provider here is a sandbox gateway's token endpoint (its keys at /oauth2/jwks); the gateway under test
 * is not in sandbox mode, fetches the keys over HTTP, and binds the provider's client itself.
 */
class IdentityProviderJwksIT {

	static GatewayServer provider;
	static GatewayServer gateway;

	@BeforeAll
	static void start() {
		provider = SandboxGateway.get();
		gateway = GatewayServer.start(
				"gateway.security.issuers[1].issuer=https://sp-gateway.invalid/sandbox",
				"gateway.security.issuers[1].jwk-set-uri=http://localhost:" + provider.port() + "/oauth2/jwks",
				"gateway.security.issuers[1].audiences[0]=sp-gateway-sandbox",
				"gateway.security.clients.demo-provider.role=PROVIDER",
				"gateway.security.clients.demo-provider.organisations[0].value=X99901");
	}

	@AfterAll
	static void stop() {
		gateway.stop();
	}

	@Test
	void aTokenOfAnIssuerTrustedByItsJwksUriIsAccepted() {
		String token = provider.tokenFor("demo-provider");
		HttpResponse<String> answer = Http.get(gateway.baseUrl() + "/Task?_count=1", "Authorization", "Bearer " + token);
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
	}

	@Test
	void aClientOfThatIssuerWithoutABindingHereIsForbidden() {
		HttpResponse<String> answer = Http.get(gateway.baseUrl() + "/Task?_count=1", "Authorization", "Bearer " + provider.tokenFor("demo-gp"));
		assertThat(answer.statusCode()).isEqualTo(403);
		assertThat(Http.parse(answer, OperationOutcome.class).getIssueFirstRep().getDiagnostics()).contains("'demo-gp' is not registered");
	}
}
