package org.spgateway.mapping;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.StructureMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.config.GatewayProperties;
import org.spgateway.conformance.ConformanceResources;
import org.spgateway.feedback.FeedbackOperations;
import org.spgateway.outbox.Outbox;
import org.spgateway.security.HeaderSecretRecords;
import org.spgateway.resources.ResourceService;
import org.spgateway.transaction.TransactionProcessor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Partner mappings as data: the partner descriptors, StructureMaps and ConceptMaps in mappings/ (and any
 * other conformance location), checked at start-up and run by the HL7 engine; $transform and $translate.
 */
@Configuration(proxyBeanMethods = false)
public class MappingConfig {

	private static final Logger log = LoggerFactory.getLogger(MappingConfig.class);

	@Bean
	ConceptMapTranslator conceptMapTranslator(ConformanceResources conformance) {
		return new ConceptMapTranslator(conformance.ofType(ConceptMap.class));
	}

	/** Every map is checked here; a broken one stops start-up, naming its file. */
	@Bean
	MapEngine mapEngine(FhirContext fhirContext, IValidationSupport validationSupport, ConformanceResources conformance,
			ConceptMapTranslator conceptMapTranslator) {
		return new MapEngine(fhirContext, validationSupport, conformance, conceptMapTranslator);
	}

	@Bean
	Partners partners(GatewayProperties properties, ConformanceResources conformance) {
		List<String> locations = new ArrayList<>(properties.getConformance().getLocations());
		locations.addAll(properties.getConformance().getAdditionalLocations());
		Set<String> maps = conformance.ofType(StructureMap.class).stream().map(StructureMap::getUrl).collect(Collectors.toSet());
		Set<String> conceptMaps = conformance.ofType(ConceptMap.class).stream().map(ConceptMap::getUrl).collect(Collectors.toSet());
		Partners partners = new Partners(new PartnerLoader().load(locations, maps, conceptMaps));
		log.info("Partners: {} ({} maps, {} ConceptMaps loaded)", partners.all().stream().map(PartnerDefinition::id).toList(), maps.size(),
				conformance.ofType(ConceptMap.class).size());
		return partners;
	}

	@Bean
	InboundMappings inboundMappings(Partners partners, MapEngine mapEngine) {
		return new InboundMappings(partners, mapEngine);
	}

	/**
	 * Partners' inbound maps run on writes as they arrive (ResourceService, for REST and transactions). Registered once every bean
	 * exists, as write handlers are: the mapping beans depend on ResourceService.
	 */
	@Bean
	SmartInitializingSingleton partnerTranslationRegistration(ResourceService resourceService, InboundMappings inboundMappings,
			MapEngine mapEngine) {
		return () -> resourceService.registerTranslation(new PartnerTranslation(inboundMappings, mapEngine));
	}

	@Bean
	PartnerStatusUpdates partnerStatusUpdates(Partners partners, ConceptMapTranslator conceptMapTranslator, ResourceService resourceService) {
		return new PartnerStatusUpdates(partners, conceptMapTranslator, resourceService);
	}

	@Bean
	PartnerStatusProvider partnerStatusProvider(PartnerStatusUpdates partnerStatusUpdates, MapEngine mapEngine, FhirContext fhirContext,
			GatewayProperties gateway) {
		return new PartnerStatusProvider(partnerStatusUpdates, mapEngine, fhirContext, gateway.isSandbox());
	}

	@Bean
	PartnerReferrals partnerReferrals(Partners partners, MapEngine mapEngine, InboundMappings inboundMappings, TransactionProcessor transactions,
			FhirContext fhirContext, GatewayProperties gateway) {
		return new PartnerReferrals(partners, mapEngine, inboundMappings, transactions, fhirContext, gateway.isSandbox());
	}

	@Bean
	PartnerHeaders partnerHeaders(HeaderSecretRecords secrets) {
		return new PartnerHeaders(secrets);
	}

	@Bean
	IdOnlyNotices idOnlyNotices(GatewayProperties gateway, FhirContext fhirContext) {
		String base = gateway.getPublicBaseUrl() != null && !gateway.getPublicBaseUrl().isBlank() ? gateway.getPublicBaseUrl()
				: "http://localhost:8080/fhir";
		return new IdOnlyNotices(base, fhirContext);
	}

	@Bean
	PartnerFeedbackShaping partnerFeedbackShaping(Partners partners, MapEngine mapEngine, PartnerHeaders partnerHeaders, IdOnlyNotices notices) {
		return new PartnerFeedbackShaping(partners, mapEngine, partnerHeaders, notices);
	}

	/** A provider partner's notifications (a referral routed to it, its Task's status changing), through the outbox. */
	@Bean
	PartnerNotifications partnerNotifications(Partners partners, MapEngine mapEngine, PartnerHeaders partnerHeaders, IdOnlyNotices notices,
			Outbox outbox, ObjectProvider<ResourceService> resourceService) {
		return new PartnerNotifications(partners, mapEngine, partnerHeaders, notices, outbox, resourceService);
	}

	@Bean
	PartnerOperations partnerOperations(Partners partners, PartnerHeaders partnerHeaders, FeedbackOperations feedbackOperations, Outbox outbox,
			TransactionTemplate transactions, FhirContext fhirContext) {
		return new PartnerOperations(partners, partnerHeaders, feedbackOperations, outbox, transactions, fhirContext);
	}

	@Bean
	PartnerReferralProvider partnerReferralProvider(PartnerReferrals partnerReferrals) {
		return new PartnerReferralProvider(partnerReferrals);
	}

	@Bean
	MappingProvider mappingProvider(MapEngine mapEngine, ConceptMapTranslator conceptMapTranslator, ResourceService resourceService) {
		return new MappingProvider(mapEngine, conceptMapTranslator, resourceService);
	}
}
