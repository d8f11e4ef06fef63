package org.spgateway.access;

import ca.uhn.fhir.context.FhirContext;
import org.spgateway.directory.ServiceDirectory;
import org.spgateway.security.AccessPolicy;
import org.spgateway.store.ResourceStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** Per-organisation access: the derivation, its table, the listener that writes it and the start-up backfill. */
@Configuration(proxyBeanMethods = false)
public class AccessConfig {

	@Bean
	ResourceAccess resourceAccess(FhirContext fhirContext, ObjectProvider<ServiceDirectory> directory, ResourceStore store) {
		// The directory depends on ResourceService, which needs this listener: looked up when first used.
		return new ResourceAccess(fhirContext, new DirectoryAccessLookups(directory, store, fhirContext));
	}

	@Bean
	ReferralParties referralParties(ResourceAccess access) {
		return new ReferralParties(access);
	}

	@Bean
	AccessRecords accessRecords(JdbcTemplate jdbcTemplate) {
		return new AccessRecords(jdbcTemplate);
	}

	/** First of the listeners: notifications built in the same transaction read the rows it writes. */
	@Bean
	@Order(Ordered.HIGHEST_PRECEDENCE)
	AccessListener accessListener(ResourceAccess access, AccessRecords records, AccessPolicy policy) {
		return new AccessListener(access, records, policy);
	}

	@Bean(destroyMethod = "close")
	AccessBackfill accessBackfill(JdbcTemplate jdbcTemplate, TransactionTemplate transactions, FhirContext fhirContext, ResourceAccess access,
			AccessRecords records, AccessPolicy policy) {
		return new AccessBackfill(jdbcTemplate, transactions, fhirContext, access, records, policy);
	}

	@Bean
	ApplicationListener<ApplicationReadyEvent> accessBackfillStart(AccessBackfill backfill) {
		return event -> backfill.start();
	}
}
