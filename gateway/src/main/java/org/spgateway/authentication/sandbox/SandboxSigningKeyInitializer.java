package org.spgateway.authentication.sandbox;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * In sandbox mode, registers the {@link SandboxSigningKey} before the context creates any bean, so that the key
 * is made beside the rest of start-up rather than when the token endpoint and the resource server first need it.
 * Listed in {@code META-INF/spring.factories}; the condition is {@link SandboxTokenConfig}'s.
 */
public class SandboxSigningKeyInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	static final String BEAN_NAME = "sandboxSigningKey";

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		if ("true".equalsIgnoreCase(context.getEnvironment().getProperty("gateway.sandbox"))) {
			context.getBeanFactory().registerSingleton(BEAN_NAME, SandboxSigningKey.makeInBackground());
		}
	}
}
