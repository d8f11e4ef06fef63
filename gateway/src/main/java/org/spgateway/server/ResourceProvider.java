package org.spgateway.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.ConditionalUrlParam;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Patch;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.PatchTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.hl7.fhir.r4.model.IdType;
import org.spgateway.config.GatewayProperties;
import org.spgateway.fhir.Outcomes;
import org.spgateway.resources.IncomingResource;
import org.spgateway.resources.ResourcePatcher;
import org.spgateway.resources.ResourceService;
import org.spgateway.resources.WriteContext;
import org.spgateway.resources.WriteOutcome;
import org.spgateway.security.RequestGate;

/** Adds create (and conditional create), update (and conditional update) and patch to a type. */
public class ResourceProvider extends ReadOnlyResourceProvider {

	private final ResourcePatcher patcher;

	public ResourceProvider(FhirContext fhirContext, ResourceService service, String typeName, GatewayProperties.Search searchSettings,
			ResourcePatcher patcher) {
		super(fhirContext, service, typeName, searchSettings);
		this.patcher = patcher;
	}

	@Create
	public MethodOutcome create(@ResourceParam String body, @ResourceParam EncodingEnum encoding, @ConditionalUrlParam String ifNoneExist,
			RequestDetails request) {
		IncomingResource incoming = service.accept(body, encoding, typeName, context(request));
		return MethodOutcomes.of(service.create(typeName, incoming, ifNoneExist, context(request)));
	}

	@Update
	public MethodOutcome update(@IdParam IdType id, @ResourceParam String body, @ResourceParam EncodingEnum encoding,
			@ConditionalUrlParam String conditionalUrl, RequestDetails request) {
		boolean criteria = conditionalUrl != null && conditionalUrl.contains("?") && !conditionalUrl.endsWith("?");
		if (!criteria && (id == null || !id.hasIdPart())) {
			throw Outcomes.invalid("PUT needs the id of the " + typeName + " to update (PUT " + typeName + "/[id]) or search criteria"
					+ " that find it (PUT " + typeName + "?identifier=...)", null);
		}
		IncomingResource incoming = service.accept(body, encoding, typeName, context(request));
		WriteOutcome outcome = criteria
				? service.conditionalUpdate(typeName, conditionalUrl, incoming, context(request))
				: service.update(typeName, id.getIdPart(), incoming, expectedVersion(id), context(request));
		return MethodOutcomes.ofUpdate(outcome, request);
	}

	@Patch
	public MethodOutcome patch(@IdParam IdType id, PatchTypeEnum patchType, @ResourceParam String body, RequestDetails request) {
		if (id == null || !id.hasIdPart()) {
			throw Outcomes.invalid("Conditional patch is not supported; PATCH " + typeName + "/[id]", null);
		}
		WriteOutcome outcome = service.patch(typeName, id.getIdPart(), expectedVersion(id), r -> patcher.apply(r, patchType, body), context(request));
		// HAPI adds an ETag to create and update answers only; a patch makes a new version just the same.
		request.getResponse().addHeader(Constants.HEADER_ETAG, "W/\"" + outcome.stored().version() + "\"");
		return MethodOutcomes.of(outcome);
	}

	private static WriteContext context(RequestDetails request) {
		return new WriteContext(request, RequestGate.scopeOf(request), false);
	}

	/** HAPI copies an If-Match: W/"n" header into the id's version part; anything but a version number there is a malformed header. */
	private static Integer expectedVersion(IdType id) {
		if (id == null || !id.hasVersionIdPart()) {
			return null;
		}
		String version = id.getVersionIdPart();
		if (!version.matches("[0-9]{1,9}")) {
			throw Outcomes.invalid("If-Match must name a version the way ETag gives it, such as W/\"3\"", null);
		}
		return Integer.parseInt(version);
	}
}
