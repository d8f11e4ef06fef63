package org.spgateway.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Since;
import ca.uhn.fhir.rest.annotation.Validate;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.PreferHandlingEnum;
import ca.uhn.fhir.rest.api.ValidationModeEnum;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.config.GatewayProperties;
import org.spgateway.fhir.Outcomes;
import org.spgateway.resources.ResourceService;
import org.spgateway.security.RequestGate;
import org.spgateway.store.HistoryEntry;
import org.spgateway.store.SearchPage;
import org.spgateway.store.SearchRequest;
import org.spgateway.store.StoredResource;
import org.spgateway.validation.ValidationReport;

/**
 * read, vread, instance history, search and $validate for one resource type. Thin: every decision is
 * made by {@link ResourceService}; this class only translates between HAPI and the service.
 */
public class ReadOnlyResourceProvider implements IResourceProvider {

	protected final FhirContext fhirContext;
	protected final ResourceService service;
	protected final String typeName;
	private final Class<? extends IBaseResource> type;
	private final GatewayProperties.Search searchSettings;

	public ReadOnlyResourceProvider(FhirContext fhirContext, ResourceService service, String typeName, GatewayProperties.Search searchSettings) {
		this.fhirContext = fhirContext;
		this.service = service;
		this.typeName = typeName;
		this.type = fhirContext.getResourceDefinition(typeName).getImplementingClass();
		this.searchSettings = searchSettings;
	}

	@Override
	public Class<? extends IBaseResource> getResourceType() {
		return type;
	}

	@Read(version = true)
	public IBaseResource read(@IdParam IdType id, RequestDetails request) {
		StoredResource stored = id.hasVersionIdPart()
				? service.readVersion(typeName, id.getIdPart(), versionOf(id.getVersionIdPart()), RequestGate.scopeOf(request))
				: service.read(typeName, id.getIdPart(), RequestGate.scopeOf(request));
		return StoredJson.servable(request) ? StoredJson.view(fhirContext, stored) : service.toResource(stored);
	}

	@History
	public IBundleProvider history(@IdParam IdType id, @Since InstantType since, RequestDetails request) {
		int offset = intParam(request, Constants.PARAM_OFFSET, 0);
		int count = Math.min(intParam(request, Constants.PARAM_COUNT, searchSettings.getDefaultPageSize()), searchSettings.getMaxPageSize());
		List<HistoryEntry> versions = service.history(typeName, id.getIdPart(), since == null ? null : since.getValue().toInstant(), offset,
				count + 1, RequestGate.scopeOf(request));
		boolean hasMore = versions.size() > count;
		List<HistoryEntry> page = hasMore ? versions.subList(0, count) : versions;
		Integer total = hasMore ? null : offset + page.size();
		return StoredBundleProvider.history(fhirContext, page, offset, count, hasMore, total, StoredJson.servable(request));
	}

	@Search(allowUnknownParams = true)
	public IBundleProvider search(RequestDetails request) {
		boolean lenient = RestfulServerUtils.parsePreferHeader(null, request.getHeader(Constants.HEADER_PREFER)).getHanding()
				== PreferHandlingEnum.LENIENT;
		SearchRequest search = service.parseSearch(typeName, request.getParameters(), lenient);
		SearchPage page = service.search(search, RequestGate.scopeOf(request));
		return new StoredBundleProvider(fhirContext, page.matches(), page.included(), search.offset(), search.count(), page.hasMore(),
				page.total(), StoredJson.servable(request));
	}

	/**
	 * $validate at type level (body is the resource, or a Parameters with a "resource" part) and at
	 * instance level (no body: validates the stored version). Answers 200 with the OperationOutcome
	 * whether or not the resource is valid; nothing is stored.
	 */
	@Validate
	public MethodOutcome validate(@ResourceParam String body, @ResourceParam EncodingEnum encoding, @IdParam(optional = true) IdType id,
			@Validate.Mode ValidationModeEnum mode, @Validate.Profile String profile, RequestDetails request) {
		ValidationReport report;
		if (body == null || body.isBlank()) {
			if (id == null || !id.hasIdPart()) {
				throw Outcomes.invalid("$validate needs a resource in the body (or an instance id)", null);
			}
			report = service.validate(service.toResource(service.read(typeName, id.getIdPart(), RequestGate.scopeOf(request))), profile,
					validationContext(request));
		} else {
			Resource parsed = service.parse(body, encoding, null);
			if (parsed instanceof Parameters parameters && !"Parameters".equals(typeName)) {
				report = service.validateParametersBody(parameters, body, encoding, typeName, profile, validationContext(request));
			} else {
				if (!typeName.equals(parsed.fhirType())) {
					throw Outcomes.invalid("This endpoint validates " + typeName + " resources; the body is a " + parsed.fhirType(), null);
				}
				report = service.validateBody(body, encoding, typeName, profile, validationContext(request));
			}
		}
		MethodOutcome outcome = new MethodOutcome();
		outcome.setOperationOutcome(Outcomes.of(report.issues()));
		return outcome;
	}

	private static org.spgateway.resources.WriteContext validationContext(RequestDetails request) {
		return new org.spgateway.resources.WriteContext(request, RequestGate.scopeOf(request), false);
	}

	protected static int versionOf(String raw) {
		try {
			return Integer.parseInt(raw);
		} catch (NumberFormatException e) {
			throw new ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException("Version " + raw + " is not known");
		}
	}

	private static int intParam(RequestDetails request, String name, int defaultValue) {
		String[] values = request.getParameters().get(name);
		if (values == null || values.length == 0) {
			return defaultValue;
		}
		try {
			return Math.max(0, Integer.parseInt(values[0]));
		} catch (NumberFormatException e) {
			throw Outcomes.invalid(name + " must be a whole number, not '" + values[0] + "'", null);
		}
	}
}
