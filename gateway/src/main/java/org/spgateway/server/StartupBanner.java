package org.spgateway.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;

/**
 * Tells whoever started the gateway where to find it; in a training run ({@code gateway.exit-when-ready}), then stops it.
 */
public class StartupBanner implements ApplicationListener<ApplicationReadyEvent> {

	private static final Logger log = LoggerFactory.getLogger(StartupBanner.class);

	private final boolean exitWhenReady;

	public StartupBanner(boolean exitWhenReady) {
		this.exitWhenReady = exitWhenReady;
	}

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		if (event.getApplicationContext() instanceof WebServerApplicationContext web) {
			String base = "http://localhost:" + web.getWebServer().getPort();
			log.info("Gateway ready. FHIR base: {}/fhir  CapabilityStatement: {}/fhir/metadata  API explorer: {}/fhir/swagger-ui/"
					+ "  Health: {}/actuator/health", base, base, base, base);
		}
		if (exitWhenReady) {
			log.info("Stopping, as gateway.exit-when-ready asks");
			// Closed from a thread of its own, so that the start that sent this event returns first; closing the context
			// stops the embedded PostgreSQL, and the JVM's exit is when a class data sharing archive is written.
			Thread exit = new Thread(() -> System.exit(SpringApplication.exit(event.getApplicationContext())), "exit-when-ready");
			exit.start();
		}
	}
}
