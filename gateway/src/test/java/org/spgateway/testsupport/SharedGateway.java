package org.spgateway.testsupport;

/**
 * One gateway shared by every test class that only needs "a running gateway" (most of them): starting
 * the application is the slow part of a test run. Tests that restart, reconfigure or stop a gateway
 * start their own with {@link GatewayServer#start}. Tests using this one must not depend on what other
 * test classes stored: they create their own data with unique identifiers.
 */
public final class SharedGateway {

	private static GatewayServer server;

	private SharedGateway() {}

	public static synchronized GatewayServer get() {
		if (server == null) {
			server = GatewayServer.start();
			GatewayServer started = server;
			Runtime.getRuntime().addShutdownHook(new Thread(started::stop));
		}
		return server;
	}
}
