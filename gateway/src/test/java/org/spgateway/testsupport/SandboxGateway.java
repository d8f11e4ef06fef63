package org.spgateway.testsupport;

/**
 * The shared gateway, named for what intake and directory tests rely on: it runs in sandbox mode, with
 * the demo directory (see {@link SharedGateway}). Tests create their own people and referrals with
 * unique NHS numbers and identifiers, and do not change the demo directory.
 */
public final class SandboxGateway {

	private SandboxGateway() {}

	public static GatewayServer get() {
		return SharedGateway.get();
	}
}
