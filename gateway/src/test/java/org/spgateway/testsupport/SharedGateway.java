package org.spgateway.testsupport;

/**
 * One gateway shared by every test class that only needs "a running gateway" (most of them): starting
 * the application is the slow part of a test run. Tests that restart, reconfigure or stop a gateway
 * start their own with {@link GatewayServer#start}. Tests using this one must not depend on what other
 * test classes stored: they create their own data with unique identifiers.
 *
 * <p>It runs in sandbox mode: the demo service directory (practices A99901 and A99902, provider X99901,
 * services 9000001, 9000002, 9000101-9000103) is there, because every ServiceRequest is a referral
 * that intake routes to a service in the directory. Tests must not change the demo directory; those
 * that do start their own gateway.
 */
public final class SharedGateway {

	private static GatewayServer server;

	private SharedGateway() {}

	public static synchronized GatewayServer get() {
		if (server == null) {
			server = GatewayServer.start("gateway.sandbox=true");
			GatewayServer started = server;
			Runtime.getRuntime().addShutdownHook(new Thread(started::stop));
		}
		return server;
	}
}
