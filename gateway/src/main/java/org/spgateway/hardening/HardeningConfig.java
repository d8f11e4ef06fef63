package org.spgateway.hardening;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.DispatcherType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;
import org.springframework.web.filter.CorsFilter;

/** Security headers, CORS and per-client rate limits, as servlet filters in front of everything else. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({RateLimitProperties.class, CorsProperties.class})
public class HardeningConfig {

	/**
	 * After Spring Security's filter chain (order -100), so that the client a limit counts is the authenticated
	 * one; before the FHIR server parses any body.
	 */
	static final int RATE_LIMIT_ORDER = -90;

	private static final Logger log = LoggerFactory.getLogger(HardeningConfig.class);

	@Bean
	FilterRegistrationBean<SecurityHeadersFilter> securityHeadersFilter() {
		FilterRegistrationBean<SecurityHeadersFilter> registration = new FilterRegistrationBean<>(new SecurityHeadersFilter());
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		registration.addUrlPatterns("/*");
		registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ERROR, DispatcherType.ASYNC);
		return registration;
	}

	/** Only with origins configured; with none there are no CORS headers and browsers keep other origins out. */
	@Bean
	FilterRegistrationBean<CorsFilter> corsFilter(CorsProperties properties) {
		UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
		if (properties.isEnabled()) {
			CorsConfiguration cors = new CorsConfiguration();
			cors.setAllowedOriginPatterns(properties.getAllowedOrigins().stream().filter(o -> !o.isBlank()).map(String::trim).toList());
			cors.setAllowedMethods(properties.getAllowedMethods());
			cors.setAllowedHeaders(properties.getAllowedHeaders());
			cors.setExposedHeaders(properties.getExposedHeaders());
			// Bearer tokens travel in the Authorization header; the gateway sets no cookies a browser should send.
			cors.setAllowCredentials(false);
			cors.setMaxAge(properties.getMaxAge());
			// The filter itself is mapped to /fhir/*; the path seen here is relative to the FHIR servlet.
			source.registerCorsConfiguration("/**", cors);
			log.info("CORS: browser applications from {} may call the gateway", cors.getAllowedOriginPatterns());
		}
		FilterRegistrationBean<CorsFilter> registration = new FilterRegistrationBean<>(new CorsFilter(source));
		// Before authentication: a browser's preflight carries no token, and is answered here.
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
		registration.addUrlPatterns("/fhir/*");
		registration.setEnabled(properties.isEnabled());
		return registration;
	}

	/** The default: the client id an authentication filter put on the request, else the caller's address. */
	@Bean
	ClientIdentity clientIdentity() {
		return ClientIdentity.standard();
	}

	@Bean
	FilterRegistrationBean<RateLimitFilter> rateLimitFilter(FhirContext fhirContext, RateLimitProperties properties,
			ClientIdentity identity) {
		check(properties.getRequestsPerSecond(), "gateway.limits.rate.requests-per-second");
		check(properties.getBurst(), "gateway.limits.rate.burst");
		properties.getClients().forEach((client, limit) -> {
			check(limit.getRequestsPerSecond(), "gateway.limits.rate.clients." + client + ".requests-per-second");
			check(limit.getBurst(), "gateway.limits.rate.clients." + client + ".burst");
		});
		RateLimitFilter filter = new RateLimitFilter(fhirContext, properties, identity);
		FilterRegistrationBean<RateLimitFilter> registration = new FilterRegistrationBean<>(filter);
		registration.setOrder(RATE_LIMIT_ORDER);
		registration.addUrlPatterns("/fhir/*");
		registration.setEnabled(properties.isEnabled());
		if (!properties.isEnabled()) {
			log.warn("Rate limits are off (gateway.limits.rate.enabled=false): one client can take every worker of the gateway");
		}
		return registration;
	}

	private static void check(Integer value, String setting) {
		if (value != null && value < 1) {
			throw new IllegalStateException(setting + " must be at least 1 (it is " + value + "); to switch rate limits off set"
					+ " gateway.limits.rate.enabled=false");
		}
	}
}
