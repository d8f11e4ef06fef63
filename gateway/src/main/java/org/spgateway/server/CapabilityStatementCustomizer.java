package org.spgateway.server;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import java.util.Date;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceSearchParamComponent;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.ImplementationGuide;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.spgateway.conformance.ConformanceResources;
import org.spgateway.store.SearchParamDef;
import org.spgateway.store.SearchParameterRegistry;

/**
 * HAPI derives the interactions and operations from the providers' real method bindings; this adds
 * what only the gateway knows: the search parameters, includes and revincludes the store answers
 * (from the same registry that drives indexing and queries), the required and supported profiles, and
 * the software's identity.
 */
@Interceptor
public class CapabilityStatementCustomizer {

	private final SearchParameterRegistry registry;
	private final ConformanceResources conformance;
	private final String softwareName;
	private final String softwareVersion;
	private final Date started = new Date();

	public CapabilityStatementCustomizer(SearchParameterRegistry registry, ConformanceResources conformance, String softwareName,
			String softwareVersion) {
		this.registry = registry;
		this.conformance = conformance;
		this.softwareName = softwareName;
		this.softwareVersion = softwareVersion;
	}

	@Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
	public void customize(IBaseConformance generated) {
		CapabilityStatement cs = (CapabilityStatement) generated;
		cs.setName("SocialPrescribingGateway");
		cs.setTitle("Social Prescribing FHIR Gateway");
		cs.setPublisher("Social Prescribing Gateway project");
		cs.setDate(started);
		cs.setStatus(Enumerations.PublicationStatus.ACTIVE);
		cs.getSoftware().setName(softwareName).setVersion(softwareVersion);
		cs.getImplementation().setDescription("FHIR R4 gateway for social prescribing referrals, outcomes and feedback");
		cs.setPatchFormat(java.util.List.of(new org.hl7.fhir.r4.model.CodeType("application/json-patch+json"),
				new org.hl7.fhir.r4.model.CodeType("application/fhir+json"), new org.hl7.fhir.r4.model.CodeType("application/fhir+xml")));
		cs.getImplementationGuide().clear();
		conformance.ofType(ImplementationGuide.class).forEach(ig -> cs.addImplementationGuide(ig.getUrl()));
		for (CapabilityStatement.CapabilityStatementRestComponent rest : cs.getRest()) {
			// HAPI declares "transaction" for the @Transaction method; the same method processes batch Bundles.
			boolean transactions = rest.getInteraction().stream()
					.anyMatch(i -> i.getCode() == CapabilityStatement.SystemRestfulInteraction.TRANSACTION);
			boolean batches = rest.getInteraction().stream().anyMatch(i -> i.getCode() == CapabilityStatement.SystemRestfulInteraction.BATCH);
			if (transactions && !batches) {
				rest.addInteraction().setCode(CapabilityStatement.SystemRestfulInteraction.BATCH);
			}
			// rest.security's service, token endpoint and description: SmartCapabilities.
			rest.getSecurity().setCors(false);
			for (CapabilityStatementRestResourceComponent resource : rest.getResource()) {
				describe(resource);
			}
		}
	}

	private void describe(CapabilityStatementRestResourceComponent resource) {
		String type = resource.getType();
		String required = conformance.requiredProfiles().get(type);
		if (required != null) {
			resource.setProfile(required);
		} else {
			resource.setProfile("http://hl7.org/fhir/StructureDefinition/" + type);
		}
		resource.getSupportedProfile().clear();
		for (StructureDefinition sd : conformance.ofType(StructureDefinition.class)) {
			if (type.equals(sd.getType()) && sd.getDerivation() == StructureDefinition.TypeDerivationRule.CONSTRAINT) {
				resource.addSupportedProfile(sd.getUrl());
			}
		}
		boolean searchable = resource.getInteraction().stream()
				.anyMatch(i -> i.getCode() == CapabilityStatement.TypeRestfulInteraction.SEARCHTYPE);
		boolean updatable = resource.getInteraction().stream()
				.anyMatch(i -> i.getCode() == CapabilityStatement.TypeRestfulInteraction.UPDATE);
		if (updatable) {
			resource.setVersioning(CapabilityStatement.ResourceVersionPolicy.VERSIONEDUPDATE);
			resource.setUpdateCreate(true);
		} else {
			resource.setVersioning(CapabilityStatement.ResourceVersionPolicy.VERSIONED);
		}
		resource.setReadHistory(true);
		resource.getSearchParam().clear();
		resource.getSearchInclude().clear();
		resource.getSearchRevInclude().clear();
		if (!searchable) {
			return;
		}
		for (SearchParamDef p : registry.forType(type).values()) {
			CapabilityStatementRestResourceSearchParamComponent sp = resource.addSearchParam()
					.setName(p.name())
					.setType(Enumerations.SearchParamType.fromCode(p.type().getCode()))
					.setDocumentation(p.description());
			if (p.definition() != null) {
				sp.setDefinition(p.definition());
			}
		}
		Set<String> includes = new TreeSet<>();
		for (SearchParamDef p : registry.forType(type).values()) {
			if (p.type() == RestSearchParameterTypeEnum.REFERENCE) {
				includes.add(type + ":" + p.name());
			}
		}
		if (!includes.isEmpty()) {
			includes.add(type + ":*");
		}
		includes.forEach(resource::addSearchInclude);
		Set<String> revIncludes = new TreeSet<>();
		for (String source : ServedResourceTypes.all()) {
			for (Map.Entry<String, SearchParamDef> e : registry.forType(source).entrySet()) {
				SearchParamDef p = e.getValue();
				if (p.type() == RestSearchParameterTypeEnum.REFERENCE && (p.targets().isEmpty() || p.targets().contains(type))) {
					revIncludes.add(source + ":" + p.name());
				}
			}
		}
		revIncludes.forEach(resource::addSearchRevInclude);
	}
}
