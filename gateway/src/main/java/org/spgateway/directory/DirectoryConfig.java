package org.spgateway.directory;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.config.GatewayProperties;
import org.spgateway.conformance.ConformanceResources;
import org.spgateway.resources.ResourceService;
import org.spgateway.security.HeaderSecretRecords;
import org.spgateway.security.OutboundAddressRules;
import org.spgateway.store.ResourceStore;
import org.spgateway.validation.ResourceValidator;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
public class DirectoryConfig {

	private static final Logger log = LoggerFactory.getLogger(DirectoryConfig.class);

	@Bean
	DirectoryChanges directoryChanges() {
		return new DirectoryChanges();
	}

	@Bean
	ServiceDirectory serviceDirectory(FhirContext fhirContext, ResourceService resources, ConformanceResources conformance,
			PlatformTransactionManager transactionManager, DirectoryProperties properties, DirectoryChanges changes) {
		return new ServiceDirectory(fhirContext, resources, conformance, transactionManager, properties.getRefreshInterval(), changes);
	}

	@Bean
	DirectoryRecords organizationRecords(FhirContext fhirContext, ResourceService resources, ResourceStore store, ServiceDirectory directory) {
		return new DirectoryRecords("Organization", fhirContext, resources, store, directory);
	}

	@Bean
	DirectoryRecords healthcareServiceRecords(FhirContext fhirContext, ResourceService resources, ResourceStore store, ServiceDirectory directory) {
		return new DirectoryRecords("HealthcareService", fhirContext, resources, store, directory);
	}

	@Bean
	DirectoryRecords practitionerRecords(FhirContext fhirContext, ResourceService resources, ResourceStore store, ServiceDirectory directory) {
		return new DirectoryRecords("Practitioner", fhirContext, resources, store, directory);
	}

	@Bean
	DirectoryRecords practitionerRoleRecords(FhirContext fhirContext, ResourceService resources, ResourceStore store, ServiceDirectory directory) {
		return new DirectoryRecords("PractitionerRole", fhirContext, resources, store, directory);
	}

	@Bean
	EndpointWriteHandler endpointWriteHandler(ResourceService resources, OutboundAddressRules addresses, HeaderSecretRecords secrets) {
		return new EndpointWriteHandler(resources, addresses, secrets);
	}

	@Bean
	DirectorySeeder directorySeeder(FhirContext fhirContext, ResourceService resources, ResourceStore store, ResourceValidator validator,
			ServiceDirectory directory, JdbcTemplate jdbc, TransactionTemplate transactions) {
		return new DirectorySeeder(fhirContext, resources, store, validator, directory, jdbc, transactions);
	}

	/** Seeds the directory once every bean exists and before the server takes requests. */
	@Bean
	SmartInitializingSingleton directorySeeding(DirectorySeeder seeder, DirectoryProperties directory, GatewayProperties gateway) {
		return () -> {
			List<String> files = new ArrayList<>();
			if (gateway.isSandbox()) {
				log.warn("SANDBOX MODE (gateway.sandbox=true): seeding the demo directory (practices A99901, A99902; provider X99901;"
						+ " services 9000001, 9000002, 9000101-9000103). Not for real patients.");
				files.add(DirectoryProperties.SANDBOX_SEED);
			}
			files.addAll(directory.getSeedFiles());
			if (!files.isEmpty()) {
				seeder.seed(files);
			}
		};
	}
}
