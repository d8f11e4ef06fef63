package org.spgateway.intake;

import ca.uhn.fhir.context.FhirContext;
import org.spgateway.conformance.ConformanceResources;
import org.spgateway.access.ReferralParties;
import org.spgateway.directory.ServiceDirectory;
import org.spgateway.resources.ResourceService;
import org.spgateway.store.ResourceStore;
import org.spgateway.transaction.TransactionProcessor;
import org.spgateway.validation.ResourceValidator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
public class IntakeConfig {

	@Bean
	ReferralRecords referralRecords(JdbcTemplate jdbc) {
		return new ReferralRecords(jdbc);
	}

	@Bean
	ReferralSourceInference referralSourceInference(ConformanceResources conformance) {
		return new ReferralSourceInference(conformance);
	}

	@Bean
	ReferralIntake referralIntake(FhirContext fhirContext, ResourceService resources, ResourceStore store, ServiceDirectory directory,
			ReferralRecords records, ReferralSourceInference sources, IntakeProperties settings, ReferralParties parties) {
		return new ReferralIntake(fhirContext, resources, store, directory, records, sources, settings, parties);
	}

	@Bean
	PatientRecords patientRecords(FhirContext fhirContext, ResourceService resources, ResourceStore store) {
		return new PatientRecords(fhirContext, resources, store);
	}

	@Bean
	BarsMessages barsMessages(FhirContext fhirContext, ResourceValidator validator, TransactionProcessor processor, ResourceService resources,
			ServiceDirectory directory, ReferralIntake intake, ReferralRecords records, TransactionTemplate transactions, IntakeProperties settings,
			ObjectProvider<BuildProperties> build) {
		BuildProperties info = build.getIfAvailable();
		return new BarsMessages(fhirContext, validator, processor, resources, directory, intake, records, transactions, settings,
				info != null ? info.getVersion() : "development");
	}

	@Bean
	BarsMessageRetention barsMessageRetention(ReferralRecords records, IntakeProperties settings) {
		return new BarsMessageRetention(records, settings.getBarsMessageRetention());
	}

	@Bean
	ProcessMessageProvider processMessageProvider(FhirContext fhirContext, BarsMessages messages) {
		return new ProcessMessageProvider(fhirContext, messages);
	}
}
