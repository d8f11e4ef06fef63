package org.spgateway.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import ca.uhn.fhir.util.DateUtils;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Basic;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * Writes answers made of stored versions ({@link StoredJson}) from their stored JSON: a read or vread as the stored
 * bytes, with the headers HAPI gives a resource (ETag, Content-Location, Last-Modified, Content-Type); a search or
 * history Bundle as HAPI would encode it (links, total, fullUrls, search modes), each entry's resource spliced in from its
 * stored JSON instead of being encoded again ({@link BundleEnvelope}).
 *
 * <p>The last hook on the outgoing response: every other interceptor (the audit trail, the browser view) has seen the
 * response first. The security headers and cache policy are the servlet filters', so they apply as to any answer.
 */
@Interceptor
final class StoredJsonWriter {

	/** After every other outgoing-response hook, which may still look at (or replace) the response. */
	static final int LAST = Integer.MAX_VALUE - 1000;

	private static final Set<RestOperationTypeEnum> HISTORY =
			Set.of(RestOperationTypeEnum.HISTORY_INSTANCE, RestOperationTypeEnum.HISTORY_TYPE, RestOperationTypeEnum.HISTORY_SYSTEM);

	private final FhirContext fhirContext;

	StoredJsonWriter(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	@Hook(value = Pointcut.SERVER_OUTGOING_RESPONSE, order = LAST)
	public boolean write(RequestDetails request, ResponseDetails details, HttpServletResponse response) throws IOException {
		IBaseResource resource = details.getResponseResource();
		if (response == null || resource == null) {
			return true;
		}
		String json = StoredJson.jsonOf(resource);
		if (json != null) {
			writeResource(request, details, response, (Resource) resource, json);
			return false;
		}
		if (resource instanceof Bundle bundle && hasViews(bundle)) {
			writeBundle(request, details, response, bundle);
			return false;
		}
		return true;
	}

	private void writeResource(RequestDetails request, ResponseDetails details, HttpServletResponse response, Resource view, String json)
			throws IOException {
		String version = view.getIdElement().getVersionIdPart();
		response.setStatus(details.getResponseCode());
		response.addHeader(Constants.HEADER_ETAG, RestfulServerUtils.createEtag(version));
		response.addHeader(Constants.HEADER_CONTENT_LOCATION, request.getFhirServerBase() + "/" + view.fhirType() + "/"
				+ view.getIdElement().getIdPart() + "/" + Constants.PARAM_HISTORY + "/" + version);
		response.addHeader(Constants.HEADER_LAST_MODIFIED, DateUtils.formatDate(view.getMeta().getLastUpdated()));
		send(request, response, json.getBytes(StandardCharsets.UTF_8));
	}

	/** The Bundle HAPI built, written by {@link BundleEnvelope}, or by HAPI's encoder when it holds more than that writes. */
	private void writeBundle(RequestDetails request, ResponseDetails details, HttpServletResponse response, Bundle bundle)
			throws IOException {
		byte[] written = BundleEnvelope.write(bundle, resource -> parser(request).encodeResourceToString(resource));
		response.setStatus(details.getResponseCode());
		if (HISTORY.contains(request.getRestOperationType()) && bundle.getIdElement().hasIdPart()) {
			// As HAPI does for a history Bundle (and not for a search's).
			response.addHeader(Constants.HEADER_CONTENT_LOCATION, request.getFhirServerBase() + "/Bundle/" + bundle.getIdElement().getIdPart());
		}
		if (bundle.getMeta().hasLastUpdated()) {
			response.addHeader(Constants.HEADER_LAST_MODIFIED, DateUtils.formatDate(bundle.getMeta().getLastUpdated()));
		}
		if (written != null) {
			send(request, response, written);
		} else {
			send(request, response, encodedByHapi(bundle, parser(request)).toString().getBytes(StandardCharsets.UTF_8));
		}
	}

	/**
	 * A Bundle {@link BundleEnvelope} does not write: HAPI encodes it with a placeholder in place of each view (a Basic whose id
	 * no stored content can contain), and each placeholder is then replaced with the view's stored JSON.
	 */
	private static CharSequence encodedByHapi(Bundle bundle, IParser parser) {
		String marker = "stored-" + UUID.randomUUID();
		List<String> stored = new ArrayList<>();
		for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
			String json = StoredJson.jsonOf(entry.getResource());
			if (json != null) {
				entry.setResource(new Basic().setId(marker + "-" + stored.size()));
				stored.add(json);
			}
		}
		String shell = parser.encodeResourceToString(bundle);
		StringBuilder body = new StringBuilder(shell.length() + stored.stream().mapToInt(String::length).sum());
		int from = 0;
		for (int i = 0; i < stored.size(); i++) {
			String placeholder = "{\"resourceType\":\"Basic\",\"id\":\"" + marker + "-" + i + "\"}";
			int at = shell.indexOf(placeholder, from);
			if (at < 0) {
				throw new IllegalStateException("Entry " + i + " of a Bundle lost its place while being encoded");
			}
			body.append(shell, from, at).append(stored.get(i));
			from = at + placeholder.length();
		}
		body.append(shell, from, shell.length());
		return body;
	}

	/** HAPI's parser as it would encode this request's answer. */
	private IParser parser(RequestDetails request) {
		return RestfulServerUtils.getNewParser(fhirContext, fhirContext.getVersion().getVersion(), request);
	}

	private static void send(RequestDetails request, HttpServletResponse response, byte[] bytes) throws IOException {
		RestfulServerUtils.ResponseEncoding encoding = RestfulServerUtils.determineResponseEncodingWithDefault(request);
		response.setContentType(encoding != null && encoding.getEncoding() == EncodingEnum.JSON ? encoding.getResourceContentType()
				: Constants.CT_FHIR_JSON_NEW);
		response.setCharacterEncoding(Constants.CHARSET_NAME_UTF8);
		response.setContentLength(bytes.length);
		try (OutputStream out = response.getOutputStream()) {
			out.write(bytes);
		}
	}

	private static boolean hasViews(Bundle bundle) {
		for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
			if (StoredJson.jsonOf(entry.getResource()) != null) {
				return true;
			}
		}
		return false;
	}
}
