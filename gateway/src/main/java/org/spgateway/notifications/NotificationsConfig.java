package org.spgateway.notifications;

import ca.uhn.fhir.context.FhirContext;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import org.spgateway.access.AccessRecords;
import org.spgateway.outbox.Outbox;
import org.spgateway.resources.ResourceService;
import org.spgateway.security.HeaderSecretRecords;
import org.spgateway.security.OutboundAddressRules;
import org.spgateway.server.ServedResourceTypes;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.SearchIndexer;
import org.spgateway.store.SearchParameterRegistry;
import org.spgateway.store.SearchRequestParser;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
public class NotificationsConfig {

	@Bean
	SubscriptionRules subscriptionRules(SearchParameterRegistry registry, SearchRequestParser parser, NotificationProperties properties,
			OutboundAddressRules addresses, HeaderSecretRecords secrets) {
		// Only types written through the API change, so only they can be subscribed to.
		return new SubscriptionRules(registry, parser, Set.copyOf(ServedResourceTypes.WRITABLE), properties.isRequireHttps(),
				addresses, secrets::reveal);
	}

	@Bean(destroyMethod = "close")
	SubscriptionRegistry subscriptionRegistry(JdbcTemplate jdbcTemplate, ResourceStore store, FhirContext fhirContext, SubscriptionRules rules,
			NotificationProperties properties, MeterRegistry meters) {
		SubscriptionRegistry registry = new SubscriptionRegistry(jdbcTemplate, store, fhirContext, rules, properties.getSubscriptionRefresh());
		Gauge.builder("gateway.subscriptions.registered", registry, SubscriptionRegistry::liveCount)
				.description("Subscriptions this instance matches changes against (active, requested, or in error and collecting)")
				.register(meters);
		return registry;
	}

	@Bean
	SubscriptionNotifier subscriptionNotifier(SubscriptionRegistry registry, SearchIndexer indexer, Outbox outbox, FhirContext fhirContext,
			AccessRecords access) {
		return new SubscriptionNotifier(registry, indexer, outbox, fhirContext, access);
	}

	@Bean
	SubscriptionLifecycle subscriptionLifecycle(SubscriptionRules rules, SubscriptionRegistry registry, Outbox outbox, ResourceStore store,
			FhirContext fhirContext, TransactionTemplate transactions, ObjectProvider<ResourceService> resources) {
		return new SubscriptionLifecycle(rules, registry, outbox, store, fhirContext, transactions, resources::getObject);
	}

	@Bean
	SubscriptionWriteHandler subscriptionWriteHandler(ResourceService resources, HeaderSecretRecords secrets) {
		return new SubscriptionWriteHandler(resources, secrets);
	}

	@Bean
	SubscriptionOperations subscriptionOperations(SubscriptionLifecycle lifecycle) {
		return new SubscriptionOperations(lifecycle);
	}

	/** The {@code subscriptions} component of /actuator/health: what this instance matches against. */
	@Bean
	HealthIndicator subscriptionsHealthIndicator(SubscriptionRegistry registry) {
		return () -> Health.up().withDetail("registered", registry.liveCount()).build();
	}
}
