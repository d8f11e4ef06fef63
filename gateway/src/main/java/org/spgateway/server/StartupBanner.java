package org.spgateway.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;

/** Tells whoever started the gateway where to find it. */
public class StartupBanner implements ApplicationListener<ApplicationReadyEvent> {

	private static final Logger log = LoggerFactory.getLogger(StartupBanner.class);

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		if (event.getApplicationContext() instanceof WebServerApplicationContext web) {
			String base = "http://localhost:" + web.getWebServer().getPort();
			log.info("Gateway ready. FHIR base: {}/fhir  CapabilityStatement: {}/fhir/metadata  API explorer: {}/fhir/swagger-ui/"
					+ "  Health: {}/actuator/health", base, base, base, base);
		}
	}
}
