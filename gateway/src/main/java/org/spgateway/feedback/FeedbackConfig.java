package org.spgateway.feedback;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.StructureMap;
import org.spgateway.config.GatewayProperties;
import org.spgateway.conformance.ConformanceException;
import org.spgateway.conformance.ConformanceResources;
import org.spgateway.directory.ServiceDirectory;
import org.spgateway.mapping.MapEngine;
import org.spgateway.outbox.Outbox;
import org.spgateway.outcomes.OutcomeSummary;
import org.spgateway.resources.ResourceService;
import org.spgateway.security.HeaderSecretRecords;
import org.spgateway.store.ResourceStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** Closed-loop feedback to referrers: events from the lifecycle, Communications, delivery through the outbox. */
@Configuration(proxyBeanMethods = false)
public class FeedbackConfig {

	@Bean
	FeedbackEvents feedbackEvents(ConformanceResources conformance) {
		return new FeedbackEvents(conformance);
	}

	@Bean
	FeedbackRoutes feedbackRoutes(ResourceService resources, ServiceDirectory directory, HeaderSecretRecords secrets) {
		return new FeedbackRoutes(resources, directory, secrets);
	}

	@Bean
	FeedbackListener feedbackListener(FeedbackEvents events, ObjectProvider<ResourceService> resources, ObjectProvider<FeedbackRoutes> routes,
			FhirContext fhirContext, Outbox outbox, FeedbackProperties properties, GatewayProperties gateway, ObjectProvider<BuildProperties> build,
			FeedbackRecords records, ObjectProvider<OutcomeSummary> outcomeSummary, ObjectProvider<PartnerFeedback> partnerFeedback,
			MapEngine mapEngine, ConformanceResources conformance) {
		String base = properties.getBaseUrl() != null ? properties.getBaseUrl()
				: gateway.getPublicBaseUrl() != null && !gateway.getPublicBaseUrl().isBlank() ? gateway.getPublicBaseUrl() : "http://localhost:8080/fhir";
		BuildProperties info = build.getIfAvailable();
		StructureMap barsMap = barsMap(properties, mapEngine, conformance);
		return new FeedbackListener(events, resources, routes, new FeedbackMessages(fhirContext, base, info != null ? info.getVersion() : "development",
				input -> mapEngine.transform(barsMap, input)), outbox, properties, records, outcomeSummary, partnerFeedback);
	}

	/** The BaRS feedback map must be loaded and read the gateway's Parameters into a Bundle: anything else stops start-up. */
	static StructureMap barsMap(FeedbackProperties properties, MapEngine mapEngine, ConformanceResources conformance) {
		StructureMap map = mapEngine.byUrl(properties.getBarsMap()).orElseThrow(() -> new ConformanceException("gateway.feedback.bars-map",
				"names the map " + properties.getBarsMap() + ", which is not loaded from any conformance location"));
		if (!"Parameters".equals(mapEngine.sourceType(map)) || !"Bundle".equals(mapEngine.targetType(map))) {
			throw new ConformanceException(conformance.sourceOf(map), "is the BaRS feedback map (gateway.feedback.bars-map) and turns a "
					+ mapEngine.sourceType(map) + " into a " + mapEngine.targetType(map) + ": it must turn the gateway's Parameters into a Bundle");
		}
		return map;
	}

	@Bean
	FeedbackOperations feedbackOperations(ResourceService resources, Outbox outbox, FeedbackChannels channels, JdbcTemplate jdbc,
			TransactionTemplate transactions) {
		return new FeedbackOperations(resources, outbox, channels, jdbc, transactions);
	}

	@Bean
	FeedbackChannels feedbackChannels(ObjectProvider<ResourceService> resources, ResourceStore store, JdbcTemplate jdbc, FeedbackRecords records) {
		return new FeedbackChannels(resources, store, jdbc, records);
	}

	@Bean
	FeedbackRecords feedbackRecords(JdbcTemplate jdbc) {
		return new FeedbackRecords(jdbc);
	}
}
