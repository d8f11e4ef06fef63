package org.spgateway.security;

/**
 * What a client is to the gateway, bound to it in configuration (never taken from the token alone).
 * The role decides which resources the caller's organisations can reach and which lifecycle moves it
 * may make; the token's scopes decide which interactions it may use at all.
 */
public enum Role {
	/** A GP practice, social worker's team or other professional service sending referrals. */
	REFERRER,
	/** A social prescribing provider (link-worker service) receiving and working referrals. */
	PROVIDER,
	/** A community group receiving onward referrals from a provider. */
	COMMUNITY,
	/** A tester: everything in sandbox mode; outside it only validation, translation and conformance. */
	TESTER,
	/** Manages the directory, Endpoints, Subscriptions and mappings; clinical data only by audited break-glass. */
	ADMINISTRATOR,
	/** Reads aggregate reports for the services it commissions. */
	COMMISSIONER
}
