package org.spgateway.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.narrative.INarrativeGenerator;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.interceptor.ResponseHighlighterInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.spgateway.authentication.InteractionGate;
import org.spgateway.authentication.SmartCapabilities;
import org.spgateway.config.GatewayProperties;
import org.spgateway.conformance.ConformanceResources;
import org.spgateway.conformance.ConformanceStoreSync;
import org.spgateway.resources.ResourcePatcher;
import org.spgateway.resources.ResourceService;
import org.spgateway.security.AccessPolicy;
import org.spgateway.security.CallerResolver;
import org.spgateway.security.RequestGate;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.SearchParameterRegistry;
import org.spgateway.validation.ResourceValidator;
import org.spgateway.validation.ValidatorWarmUp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Explicit wiring of the HAPI RestfulServer at /fhir: one provider per served type, system-level
 * providers, and the interceptors for cross-cutting concerns (request gate, capability statement,
 * error sanitising, OpenAPI, browser view).
 */
@Configuration(proxyBeanMethods = false)
public class FhirServerConfig {

	private static final Logger log = LoggerFactory.getLogger(FhirServerConfig.class);

	@Bean
	AccessPolicy accessPolicy(GatewayProperties gateway) {
		return new AccessPolicy(gateway.isSandbox());
	}

	/** The caller comes from the verified access token and the client's binding (authentication package). */
	@Bean
	RequestGate requestGate(AccessPolicy policy, CallerResolver callers) {
		return new RequestGate(policy, callers);
	}

	/**
	 * Stores the conformance resources once they are known to be valid, so that a broken file is never stored. The
	 * validator starts checking them as it is made, beside the rest of start-up.
	 */
	@Bean
	ConformanceStoreSync conformanceStoreSync(FhirContext fhirContext, ResourceStore store, TransactionTemplate transactions,
			ConformanceResources conformance, ResourceValidator checking, ValidatorWarmUp checks) {
		checks.awaitChecked();
		ConformanceStoreSync sync = new ConformanceStoreSync(fhirContext, store, transactions);
		sync.sync(conformance);
		return sync;
	}

	@Bean
	RestfulServer fhirRestfulServer(FhirContext fhirContext, ResourceService service, ResourcePatcher patcher, GatewayProperties properties,
			RequestGate requestGate, InteractionGate interactionGate, SmartCapabilities smartCapabilities, SearchParameterRegistry registry,
			ConformanceResources conformance,
			ObjectProvider<BuildProperties> buildProperties, ObjectProvider<SystemProvider> systemProviders,
			ConformanceStoreSync conformanceLoadedFirst, MeterRegistry meterRegistry, Environment environment,
			ObjectProvider<ServerInterceptor> interceptors, ObjectProvider<IResourceProvider> dedicatedProviders) {
		RestfulServer server = new GatewayRestfulServer(fhirContext);
		server.setDefaultResponseEncoding(EncodingEnum.JSON);
		server.setDefaultPrettyPrint(false);
		server.setDefaultPageSize(properties.getSearch().getDefaultPageSize());
		server.setMaximumPageSize(properties.getSearch().getMaxPageSize());
		server.setPagingProvider(null);
		INarrativeGenerator noNarrative = null;
		fhirContext.setNarrativeGenerator(noNarrative);
		server.setServerAddressStrategy(new ConfiguredAddressStrategy(properties.getPublicBaseUrl(),
				environment.getProperty("server.ssl.enabled", Boolean.class, false)));
		if (properties.getPublicBaseUrl() == null || properties.getPublicBaseUrl().isBlank()) {
			log.info("gateway.public-base-url is not set: links name http://localhost:<port>/fhir. Set it to the address callers use");
		}
		BuildProperties build = buildProperties.getIfAvailable();
		String version = build != null ? build.getVersion() : "development";
		server.setServerName("Social Prescribing FHIR Gateway");
		server.setServerVersion(version);
		server.setImplementationDescription("FHIR R4 gateway for social prescribing referrals, outcomes and feedback");

		// A capability that keeps a type outside the resource store (the audit trail's AuditEvents) brings its own provider.
		List<IResourceProvider> providers = new ArrayList<>(dedicatedProviders.orderedStream().toList());
		Set<String> dedicated = providers.stream().map(p -> fhirContext.getResourceType(p.getResourceType())).collect(Collectors.toSet());
		for (String type : ServedResourceTypes.WRITABLE) {
			if (!ServedResourceTypes.RECORDED.contains(type) && !dedicated.contains(type)) {
				providers.add(new ResourceProvider(fhirContext, service, type, properties.getSearch(), patcher));
			}
		}
		for (String type : Stream.concat(ServedResourceTypes.RECORDED.stream(), ServedResourceTypes.READ_ONLY.stream()).toList()) {
			if (!dedicated.contains(type)) {
				providers.add(new ReadOnlyResourceProvider(fhirContext, service, type, properties.getSearch()));
			}
		}
		server.setResourceProviders(providers);
		server.registerProviders(new ArrayList<>(systemProviders.orderedStream().toList()));

		server.registerInterceptor(requestGate);
		server.registerInterceptor(interactionGate);
		interceptors.orderedStream().forEach(server::registerInterceptor);
		server.registerInterceptor(new FhirRequestMetrics(meterRegistry));
		server.registerInterceptor(new ExceptionSanitizer());
		server.registerInterceptor(new CapabilityStatementCustomizer(registry, conformance, "Social Prescribing FHIR Gateway", version));
		server.registerInterceptor(smartCapabilities);
		server.registerInterceptor(new ApiExplorer());
		ResponseHighlighterInterceptor highlighter = new ResponseHighlighterInterceptor();
		highlighter.setShowRequestHeaders(false);
		highlighter.setShowResponseHeaders(true);
		server.registerInterceptor(highlighter);
		server.registerInterceptor(new StoredJsonWriter(fhirContext));
		return server;
	}

	@Bean
	StartupBanner startupBanner(GatewayProperties properties) {
		return new StartupBanner(properties.isExitWhenReady());
	}

	@Bean
	ServletRegistrationBean<RestfulServer> fhirServlet(RestfulServer fhirRestfulServer) {
		ServletRegistrationBean<RestfulServer> registration = new ServletRegistrationBean<>(fhirRestfulServer, "/fhir/*");
		registration.setName("fhir");
		registration.setLoadOnStartup(1);
		return registration;
	}

	@Bean
	FilterRegistrationBean<RequestIdFilter> requestIdFilter() {
		FilterRegistrationBean<RequestIdFilter> registration = new FilterRegistrationBean<>(new RequestIdFilter());
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		registration.addUrlPatterns("/*");
		return registration;
	}

	@Bean
	FilterRegistrationBean<RequestBudgetFilter> requestBudgetFilter(GatewayProperties properties) {
		FilterRegistrationBean<RequestBudgetFilter> registration =
				new FilterRegistrationBean<>(new RequestBudgetFilter(properties.getLimits().getRequestTimeout()));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 5);
		registration.addUrlPatterns("/fhir/*");
		return registration;
	}

	@Bean
	FilterRegistrationBean<RequestLimitsFilter> requestLimitsFilter(FhirContext fhirContext, GatewayProperties properties) {
		FilterRegistrationBean<RequestLimitsFilter> registration =
				new FilterRegistrationBean<>(new RequestLimitsFilter(fhirContext, properties.getLimits()));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
		registration.addUrlPatterns("/fhir/*");
		return registration;
	}

	@Bean
	FilterRegistrationBean<PrometheusTextFormat> prometheusTextFormat() {
		FilterRegistrationBean<PrometheusTextFormat> registration = new FilterRegistrationBean<>(new PrometheusTextFormat());
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
		registration.addUrlPatterns("/actuator/prometheus");
		return registration;
	}
}
