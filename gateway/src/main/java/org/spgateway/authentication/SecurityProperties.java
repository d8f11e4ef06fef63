package org.spgateway.authentication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.spgateway.security.Role;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code gateway.security.*}: who may call the gateway. Which token issuers are trusted (and the keys
 * their tokens are signed with), the audience a token must name, which claim names the client, and
 * each client's binding to a role and the organisations it acts for. docs/security.md explains the
 * model and docs/configuration.md each key.
 */
@ConfigurationProperties(prefix = "gateway.security")
public class SecurityProperties {

	/** Identity providers whose access tokens are accepted. A token from any other issuer is refused. */
	private List<Issuer> issuers = new ArrayList<>();

	/** A token must name at least one of these in {@code aud} (an issuer may list its own instead). */
	private List<String> audiences = new ArrayList<>();

	/** Claims that name the client, tried in order: the first one present is the client id. */
	private List<String> clientIdClaims = new ArrayList<>(List.of("client_id", "azp", "sub"));

	/** Claims that carry the token's SMART scopes (space-separated or a list); Entra ID puts application permissions in roles. */
	private List<String> scopeClaims = new ArrayList<>(List.of("scope", "scp"));

	/** How far the clocks of the issuer and the gateway may disagree when exp and nbf are checked. */
	private Duration clockSkew = Duration.ofSeconds(60);

	/**
	 * How many verified access tokens to remember (by their SHA-256), each until its exp, so that a client's next requests
	 * with the same token are not verified again; 0 verifies every request's token in full.
	 */
	private long verifiedTokenCacheSize = 10_000;

	/**
	 * The token endpoint advertised in /metadata and /.well-known/smart-configuration (the identity
	 * provider's). In sandbox mode the gateway's own /oauth2/token is advertised instead.
	 */
	private String tokenEndpoint;

	/** Client id to binding. Sandbox mode adds the demo clients (docs/security.md). */
	private Map<String, Client> clients = new LinkedHashMap<>();

	private final Sandbox sandbox = new Sandbox();

	public List<Issuer> getIssuers() {
		return issuers;
	}

	public void setIssuers(List<Issuer> issuers) {
		this.issuers = issuers;
	}

	public List<String> getAudiences() {
		return audiences;
	}

	public void setAudiences(List<String> audiences) {
		this.audiences = audiences;
	}

	public List<String> getClientIdClaims() {
		return clientIdClaims;
	}

	public void setClientIdClaims(List<String> clientIdClaims) {
		this.clientIdClaims = clientIdClaims;
	}

	public List<String> getScopeClaims() {
		return scopeClaims;
	}

	public void setScopeClaims(List<String> scopeClaims) {
		this.scopeClaims = scopeClaims;
	}

	public Duration getClockSkew() {
		return clockSkew;
	}

	public void setClockSkew(Duration clockSkew) {
		this.clockSkew = clockSkew;
	}

	public long getVerifiedTokenCacheSize() {
		return verifiedTokenCacheSize;
	}

	public void setVerifiedTokenCacheSize(long verifiedTokenCacheSize) {
		if (verifiedTokenCacheSize < 0) {
			throw new IllegalArgumentException("gateway.security.verified-token-cache-size must be 0 (off) or more");
		}
		this.verifiedTokenCacheSize = verifiedTokenCacheSize;
	}

	public String getTokenEndpoint() {
		return tokenEndpoint;
	}

	public void setTokenEndpoint(String tokenEndpoint) {
		this.tokenEndpoint = tokenEndpoint;
	}

	public Map<String, Client> getClients() {
		return clients;
	}

	public void setClients(Map<String, Client> clients) {
		this.clients = clients;
	}

	public Sandbox getSandbox() {
		return sandbox;
	}

	/** A trusted token issuer: its {@code iss} value and where its signing keys come from. */
	public static class Issuer {
		/** The exact {@code iss} claim of its tokens. */
		private String issuer;
		/** Its JSON Web Key Set (fetched and cached; keys are refetched when an unknown key id appears). */
		private String jwkSetUri;
		/** Or its public keys, PEM ({@code -----BEGIN PUBLIC KEY-----}) or bare base64 X.509, RSA or EC. */
		private List<String> publicKeys = new ArrayList<>();
		/** Audiences for this issuer's tokens; empty means {@code gateway.security.audiences}. */
		private List<String> audiences = new ArrayList<>();

		public String getIssuer() {
			return issuer;
		}

		public void setIssuer(String issuer) {
			this.issuer = issuer;
		}

		public String getJwkSetUri() {
			return jwkSetUri;
		}

		public void setJwkSetUri(String jwkSetUri) {
			this.jwkSetUri = jwkSetUri;
		}

		public List<String> getPublicKeys() {
			return publicKeys;
		}

		public void setPublicKeys(List<String> publicKeys) {
			this.publicKeys = publicKeys;
		}

		public List<String> getAudiences() {
			return audiences;
		}

		public void setAudiences(List<String> audiences) {
			this.audiences = audiences;
		}
	}

	/** What a client is to the gateway: its role and the organisations it acts for. */
	public static class Client {
		private Role role;
		private List<Organisation> organisations = new ArrayList<>();
		/** Sandbox token endpoint only: the client's secret (client_secret_basic / client_secret_post). */
		private String secret;
		/** Sandbox token endpoint only: the public key its private_key_jwt assertions are signed with (PEM or base64). */
		private String publicKey;
		/** Sandbox token endpoint only: the most it may ask for; empty means what its role may use. */
		private List<String> scopes = new ArrayList<>();

		public Role getRole() {
			return role;
		}

		public void setRole(Role role) {
			this.role = role;
		}

		public List<Organisation> getOrganisations() {
			return organisations;
		}

		public void setOrganisations(List<Organisation> organisations) {
			this.organisations = organisations;
		}

		public String getSecret() {
			return secret;
		}

		public void setSecret(String secret) {
			this.secret = secret;
		}

		public String getPublicKey() {
			return publicKey;
		}

		public void setPublicKey(String publicKey) {
			this.publicKey = publicKey;
		}

		public List<String> getScopes() {
			return scopes;
		}

		public void setScopes(List<String> scopes) {
			this.scopes = scopes;
		}
	}

	/** An organisation identifier: an ODS code or a directory identifier. */
	public static class Organisation {
		private String system = "https://fhir.nhs.uk/Id/ods-organization-code";
		private String value;

		public String getSystem() {
			return system;
		}

		public void setSystem(String system) {
			this.system = system;
		}

		public String getValue() {
			return value;
		}

		public void setValue(String value) {
			this.value = value;
		}
	}

	/** The sandbox's own token issuer (only in {@code gateway.sandbox=true}). */
	public static class Sandbox {
		/**
		 * The {@code iss} of sandbox tokens. Deliberately under the reserved .invalid domain: it names no real
		 * server, and a gateway outside sandbox mode never trusts it.
		 */
		private String issuer = "https://sp-gateway.invalid/sandbox";
		/** The {@code aud} of sandbox tokens. */
		private String audience = "sp-gateway-sandbox";
		/** How long a sandbox access token is valid. */
		private Duration tokenLifetime = Duration.ofHours(1);

		public String getIssuer() {
			return issuer;
		}

		public void setIssuer(String issuer) {
			this.issuer = issuer;
		}

		public String getAudience() {
			return audience;
		}

		public void setAudience(String audience) {
			this.audience = audience;
		}

		public Duration getTokenLifetime() {
			return tokenLifetime;
		}

		public void setTokenLifetime(Duration tokenLifetime) {
			this.tokenLifetime = tokenLifetime;
		}
	}
}
