package org.spgateway.mapping;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.ConceptValidationOptions;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.context.support.LookupCodeRequest;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import ca.uhn.fhir.context.support.ValueSetExpansionOptions;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * The gateway's validation support as the mapping engine's worker context sees it: everything, except that
 * ConceptMaps are not handed out. The HL7 engine translates with a ConceptMap it can fetch by its own rules
 * (no {@code unmapped} handling); without one it asks the gateway, so that every translate() in a map goes
 * through {@link ConceptMapTranslator}, the same code that answers $translate.
 */
class MapWorkerSupport implements IValidationSupport {

	private final IValidationSupport gateway;

	MapWorkerSupport(IValidationSupport gateway) {
		this.gateway = gateway;
	}

	@Override
	public FhirContext getFhirContext() {
		return gateway.getFhirContext();
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T extends IBaseResource> T fetchResource(Class<T> type, String uri) {
		if (type != null && "ConceptMap".equals(getFhirContext().getResourceType(type))) {
			return null;
		}
		if (type != null && "StructureDefinition".equals(getFhirContext().getResourceType(type))) {
			return (T) fetchStructureDefinition(uri);
		}
		return gateway.fetchResource(type, uri);
	}

	@Override
	public List<IBaseResource> fetchAllConformanceResources() {
		return gateway.fetchAllConformanceResources();
	}

	@Override
	public <T extends IBaseResource> List<T> fetchAllStructureDefinitions() {
		return gateway.fetchAllStructureDefinitions();
	}

	@Override
	public <T extends IBaseResource> List<T> fetchAllNonBaseStructureDefinitions() {
		return gateway.fetchAllNonBaseStructureDefinitions();
	}

	/**
	 * A FHIR base definition comes whole from the FhirContext's own support. The gateway's chain lists the base definitions
	 * as outlines, without their elements (validation.BaseDefinitionSupport), and once it has listed them answers a URL
	 * with its outline; the engine needs the elements of the types it writes.
	 */
	@Override
	public IBaseResource fetchStructureDefinition(String url) {
		IBaseResource base = getFhirContext().getValidationSupport().fetchStructureDefinition(url);
		return base != null ? base : gateway.fetchStructureDefinition(url);
	}

	@Override
	public IBaseResource fetchCodeSystem(String system) {
		return gateway.fetchCodeSystem(system);
	}

	@Override
	public IBaseResource fetchValueSet(String url) {
		return gateway.fetchValueSet(url);
	}

	@Override
	public boolean isCodeSystemSupported(ValidationSupportContext context, String system) {
		return gateway.isCodeSystemSupported(context, system);
	}

	@Override
	public boolean isValueSetSupported(ValidationSupportContext context, String url) {
		return gateway.isValueSetSupported(context, url);
	}

	@Override
	public CodeValidationResult validateCode(ValidationSupportContext context, ConceptValidationOptions options, String system, String code,
			String display, String valueSetUrl) {
		return gateway.validateCode(context, options, system, code, display, valueSetUrl);
	}

	@Override
	public CodeValidationResult validateCodeInValueSet(ValidationSupportContext context, ConceptValidationOptions options, String system,
			String code, String display, IBaseResource valueSet) {
		return gateway.validateCodeInValueSet(context, options, system, code, display, valueSet);
	}

	@Override
	public LookupCodeResult lookupCode(ValidationSupportContext context, LookupCodeRequest request) {
		return gateway.lookupCode(context, request);
	}

	@Override
	public ValueSetExpansionOutcome expandValueSet(ValidationSupportContext context, ValueSetExpansionOptions options,
			IBaseResource valueSet) {
		return gateway.expandValueSet(context, options, valueSet);
	}

	@Override
	public String getName() {
		return "gateway support for maps";
	}
}
