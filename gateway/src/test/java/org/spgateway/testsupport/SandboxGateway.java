package org.spgateway.testsupport;

/**
 * One gateway in sandbox mode (gateway.sandbox=true: the demo directory of practices A99901 and
 * A99902, provider X99901 and services 9000001, 9000002, 9000101-9000103), shared by the test classes
 * that need the demo directory and do not change it. Tests create their own people and referrals with
 * unique NHS numbers and identifiers.
 */
public final class SandboxGateway {

	private static GatewayServer server;

	private SandboxGateway() {}

	public static synchronized GatewayServer get() {
		if (server == null) {
			server = GatewayServer.start("gateway.sandbox=true");
			GatewayServer started = server;
			Runtime.getRuntime().addShutdownHook(new Thread(started::stop));
		}
		return server;
	}
}
