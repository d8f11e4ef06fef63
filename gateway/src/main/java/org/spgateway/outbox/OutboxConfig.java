package org.spgateway.outbox;

import io.micrometer.core.instrument.MeterRegistry;
import org.spgateway.security.OutboundAddressRules;
import org.spgateway.security.SecretCipher;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
public class OutboxConfig {

	@Bean
	OutboxStore outboxStore(JdbcTemplate jdbcTemplate, SecretCipher cipher) {
		return new OutboxStore(jdbcTemplate, cipher);
	}

	@Bean
	OutboxSignal outboxSignal() {
		return new OutboxSignal();
	}

	@Bean
	Outbox outbox(OutboxStore store, OutboxProperties settings, OutboxSignal signal) {
		return new Outbox(store, settings, signal);
	}

	@Bean
	OutboxMetrics outboxMetrics(OutboxStore store, MeterRegistry registry) {
		return new OutboxMetrics(store, registry);
	}

	@Bean
	OutboxDispatcher outboxDispatcher(OutboxStore store, OutboxProperties settings, OutboxSignal signal,
			ObjectProvider<OutboxChannelOwner> owners, TransactionTemplate transactions, OutboxMetrics metrics,
			ObjectProvider<BuildProperties> build, OutboundAddressRules addresses, ObjectProvider<DeliveryObserver> observers) {
		BuildProperties b = build.getIfAvailable();
		String userAgent = "sp-gateway/" + (b != null ? b.getVersion() : "development");
		HttpDelivery http = new HttpDelivery(settings.getConnectTimeout(), settings.getRequestTimeout(), userAgent, addresses);
		return new OutboxDispatcher(store, http, settings, signal, owners.orderedStream().toList(), transactions, metrics,
				observers.orderedStream().toList());
	}

	@Bean
	OutboxHealthIndicator outboxHealthIndicator(OutboxMetrics metrics, OutboxDispatcher dispatcher, OutboxProperties settings) {
		return new OutboxHealthIndicator(metrics, dispatcher, settings);
	}
}
