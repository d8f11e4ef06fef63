package org.spgateway.audit;

import ca.uhn.fhir.context.FhirContext;
import org.spgateway.config.GatewayProperties;
import org.spgateway.resources.ResourceService;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** The audit trail: an AuditEvent for every FHIR interaction and outbound delivery, hash-chained (docs/security.md#audit). */
@Configuration(proxyBeanMethods = false)
public class AuditConfig {

	@Bean
	AuditWriter auditWriter(JdbcTemplate jdbc, TransactionTemplate transactions, FhirContext fhirContext,
			AuditProperties settings) {
		return new AuditWriter(jdbc, transactions, fhirContext, settings);
	}

	@Bean
	AuditTrail auditTrail(AuditWriter writer, JdbcTemplate jdbc, AuditProperties settings) {
		return new AuditTrail(new AuditEvents(settings.getObserver()), writer, jdbc);
	}

	@Bean
	AuditChangeRecorder auditChangeRecorder(AuditTrail trail) {
		return new AuditChangeRecorder(trail);
	}

	@Bean
	AuditInterceptor auditInterceptor() {
		return new AuditInterceptor();
	}

	@Bean
	DeliveryAudit deliveryAudit(AuditTrail trail, JdbcTemplate jdbc) {
		return new DeliveryAudit(trail, jdbc);
	}

	/** AuditEvent's own provider: the server registers it instead of the resource store's generic one. */
	@Bean
	AuditEventProvider auditEventProvider(FhirContext fhirContext, JdbcTemplate jdbc, ResourceService service, GatewayProperties properties) {
		return new AuditEventProvider(fhirContext, jdbc, service, properties.getSearch());
	}

	@Bean
	AuditProvider auditProvider(JdbcTemplate jdbc, AuditProperties settings) {
		return new AuditProvider(new AuditChainVerifier(jdbc, settings.getVerifyPageSize()));
	}

	/** Right after RequestIdFilter (whose ids it records) and before every filter that may refuse a request, Spring Security's included. */
	@Bean
	FilterRegistrationBean<AuditFilter> auditFilter(AuditTrail trail, GatewayProperties properties) {
		String base = properties.getPublicBaseUrl();
		FilterRegistrationBean<AuditFilter> registration =
				new FilterRegistrationBean<>(new AuditFilter(trail, base == null || base.isBlank() ? null : base));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
		registration.addUrlPatterns("/fhir/*");
		return registration;
	}
}
