package org.spgateway.authentication;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestSecurityComponent;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.UriType;

/**
 * The CapabilityStatement's {@code rest.security} as SMART on FHIR writes it: the SMART-on-FHIR service
 * coding and the oauth-uris extension naming the token endpoint, with a description of the model.
 */
@Interceptor
public class SmartCapabilities {

	private static final String OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";

	private final SmartDiscovery discovery;

	public SmartCapabilities(SmartDiscovery discovery) {
		this.discovery = discovery;
	}

	@Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
	public void describe(IBaseConformance generated, ServletRequestDetails request) {
		CapabilityStatement cs = (CapabilityStatement) generated;
		String token = request == null ? null : discovery.tokenEndpoint(request.getServletRequest());
		for (CapabilityStatement.CapabilityStatementRestComponent rest : cs.getRest()) {
			CapabilityStatementRestSecurityComponent security = rest.getSecurity();
			security.getService().clear();
			security.addService(new CodeableConcept()
					.addCoding(new Coding("http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR", "SMART-on-FHIR"))
					.setText("OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)"));
			security.getExtension().removeIf(e -> OAUTH_URIS.equals(e.getUrl()));
			if (token != null) {
				Extension uris = security.addExtension().setUrl(OAUTH_URIS);
				uris.addExtension("token", new UriType(token));
			}
			security.setDescription("Every interaction needs an OAuth2 bearer access token (JWT) with SMART Backend Services scopes"
					+ " (system/<Type>.<c|r|u|d|s>, or v1 system/<Type>.read|write), except this CapabilityStatement and reads and searches"
					+ " of the conformance resources. Each client is bound to a role and the organisations it acts for."
					+ " Discovery: .well-known/smart-configuration.");
		}
	}
}
