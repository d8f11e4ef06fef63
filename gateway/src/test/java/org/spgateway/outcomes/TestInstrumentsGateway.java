package org.spgateway.outcomes;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.spgateway.testsupport.GatewayServer;

/**
 * A gateway (fresh database) that also loads this package's test profiles folder through
 * gateway.conformance.additional-locations, as a site would add its own instruments: a second version
 * of the Wellbeing Star on a 1 to 10 ladder, and a brand-new instrument with its CodeSystem. Shared by
 * the test classes that need them; started once per test run.
 */
final class TestInstrumentsGateway {

	private static GatewayServer server;

	private TestInstrumentsGateway() {}

	static synchronized GatewayServer get() {
		if (server == null) {
			// The demo directory: the referrals these tests make are routed to its services.
			server = GatewayServer.start("gateway.sandbox=true", "gateway.conformance.additional-locations=" + folder());
			GatewayServer started = server;
			Runtime.getRuntime().addShutdownHook(new Thread(started::stop));
		}
		return server;
	}

	static Path folder() {
		try {
			return Path.of(TestInstrumentsGateway.class.getResource("profiles").toURI());
		} catch (URISyntaxException e) {
			throw new IllegalStateException(e);
		}
	}
}
