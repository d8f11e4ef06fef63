package org.spgateway.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.context.support.IValidationSupport;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.lang3.StringUtils;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.convertors.factory.VersionConvertorFactory_40_50;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.StructureDefinition;

/**
 * The FHIR base definitions and terminology as an R4 validation support, in place of HAPI's
 * {@link DefaultProfileValidationSupport}, from the one copy of each definition the process keeps: its R5 form
 * ({@link BaseDefinitions}).
 *
 * <ul>
 * <li>A definition asked for by URL is its R4 form, converted back from the R5 one and kept for the next ask (a bounded
 * number, {@link BaseDefinitions.Definitions#r4Forms}).</li>
 * <li>The list of every definition is of outlines: the R4 definition without its elements, enough for what reads the list
 * (the type names a FHIRPath engine knows, which types are primitive, a type's base). Whoever needs a definition's
 * elements asks for it by URL.</li>
 * <li>Each carries its R5 form where HAPI's worker context looks first, so the validator gets the very object it got
 * before, never a second conversion.</li>
 * <li>ValueSets and CodeSystems are HAPI's own.</li>
 * </ul>
 */
final class BaseDefinitionSupport implements IValidationSupport {

	/** Where HAPI's worker context ({@link WorkerContextValidationSupportAdapter}) keeps a definition's R5 form on it. */
	static final String R5_FORM = WorkerContextValidationSupportAdapter.class.getName() + "_TO_CANONICAL_USERDATA_KEY";
	private static final String R4_CORE_PACKAGE = "hl7.fhir.r4.core";
	/** HAPI's own prefix for a definition asked for as "http://hl7.org/fhir/Patient". */
	private static final String URL_PREFIX_BASE = "http://hl7.org/fhir/";

	private final FhirContext fhirContext;
	private final BaseDefinitions definitions;
	private final DefaultProfileValidationSupport terminology;

	BaseDefinitionSupport(BaseDefinitions definitions) {
		this.fhirContext = definitions.fhirContext();
		this.definitions = definitions;
		this.terminology = new DefaultProfileValidationSupport(fhirContext);
	}

	/**
	 * What the FhirContext gives its FHIRPath engines (search indexing, patches): HAPI's default support, with these
	 * definitions instead of its own. Not cached: a caching chain answers a URL with whatever its list held, an outline.
	 */
	static IValidationSupport forFhirContext(BaseDefinitions definitions) {
		FhirContext fhirContext = definitions.fhirContext();
		return new ValidationSupportChain(ValidationSupportChain.CacheConfiguration.disabled(), new BaseDefinitionSupport(definitions),
				new InMemoryTerminologyServerValidationSupport(fhirContext), new CommonCodeSystemsTerminologyService(fhirContext),
				new SnapshotGeneratingValidationSupport(fhirContext));
	}

	/** A definition without its elements, carrying its R5 form. */
	static StructureDefinition outline(StructureDefinition full, org.hl7.fhir.r5.model.StructureDefinition canonical) {
		StructureDefinition outline = new StructureDefinition();
		outline.setId(full.getId());
		outline.setUrl(full.getUrl());
		outline.setVersion(full.getVersion());
		outline.setName(full.getName());
		outline.setStatus(full.getStatus());
		outline.setKind(full.getKind());
		outline.setAbstract(full.getAbstract());
		outline.setType(full.getType());
		outline.setBaseDefinition(full.getBaseDefinition());
		outline.setDerivation(full.getDerivation());
		outline.setUserData(R5_FORM, canonical);
		outline.setUserData(DefaultProfileValidationSupport.SOURCE_PACKAGE_ID, R4_CORE_PACKAGE);
		return outline;
	}

	@Override
	public FhirContext getFhirContext() {
		return fhirContext;
	}

	@Override
	public String getName() {
		return "FHIR R4 base definitions, held once";
	}

	@Override
	public IBaseResource fetchStructureDefinition(String theUrl) {
		// As HAPI's store reads a URL: a bare type name, or "Type" under http://hl7.org/fhir/.
		String url = theUrl;
		if (!url.startsWith(URL_PREFIX_STRUCTURE_DEFINITION)) {
			if (url.indexOf('/') == -1) {
				url = URL_PREFIX_STRUCTURE_DEFINITION + url;
			} else if (StringUtils.countMatches(url, '/') == 1) {
				url = URL_PREFIX_BASE + url;
			}
		}
		StructureDefinition found = r4Form(url);
		if (found == null && url.startsWith(URL_PREFIX_STRUCTURE_DEFINITION)) {
			// HAPI's leniency, kept: a few R4 SearchParameters name primitive types with a capital ("value.as(String)").
			String end = url.substring(URL_PREFIX_STRUCTURE_DEFINITION.length());
			if (!end.isEmpty() && Character.isUpperCase(end.charAt(0))) {
				StructureDefinition lower = r4Form(URL_PREFIX_STRUCTURE_DEFINITION + Character.toLowerCase(end.charAt(0)) + end.substring(1));
				if (lower != null) {
					found = fhirContext.newTerser().clone(lower);
					found.setType(end);
					found.setUserData(DefaultProfileValidationSupport.SOURCE_PACKAGE_ID, R4_CORE_PACKAGE);
				}
			}
		}
		return found;
	}

	private StructureDefinition r4Form(String url) {
		org.hl7.fhir.r5.model.StructureDefinition canonical = definitions.definitions().byUrl().get(url);
		if (canonical == null) {
			return null;
		}
		return definitions.definitions().r4Forms().get(url, u -> {
			StructureDefinition r4 = (StructureDefinition) VersionConvertorFactory_40_50.convertResource(canonical);
			r4.setUserData(R5_FORM, canonical);
			r4.setUserData(DefaultProfileValidationSupport.SOURCE_PACKAGE_ID, R4_CORE_PACKAGE);
			return r4;
		});
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T extends IBaseResource> List<T> fetchAllStructureDefinitions() {
		return (List<T>) new ArrayList<>(definitions.definitions().outlines());
	}

	@Override
	public List<IBaseResource> fetchAllConformanceResources() {
		definitions.await();
		List<IBaseResource> all = new ArrayList<>(terminology.fetchAllConformanceResources());
		all.addAll(definitions.definitions().outlines());
		return all;
	}

	@Override
	public IBaseResource fetchCodeSystem(String theSystem) {
		definitions.await();
		return terminology.fetchCodeSystem(theSystem);
	}

	@Override
	public IBaseResource fetchValueSet(String theUrl) {
		definitions.await();
		return terminology.fetchValueSet(theUrl);
	}

	@Override
	public <T extends IBaseResource> List<T> fetchAllSearchParameters() {
		definitions.await();
		return terminology.fetchAllSearchParameters();
	}
}
