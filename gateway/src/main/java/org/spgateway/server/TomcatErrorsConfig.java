package org.spgateway.server;

import org.apache.catalina.core.StandardHost;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Makes Tomcat's own error answers (for requests the application never sees) OperationOutcomes. */
@Configuration(proxyBeanMethods = false)
public class TomcatErrorsConfig {

	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> operationOutcomeErrorReports() {
		return factory -> factory.addContextCustomizers(context -> {
			if (context.getParent() instanceof StandardHost host) {
				host.setErrorReportValveClass(OperationOutcomeErrorReportValve.class.getName());
			}
		});
	}
}
