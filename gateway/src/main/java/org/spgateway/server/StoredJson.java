package org.spgateway.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Date;
import java.util.Locale;
import java.util.Set;
import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.store.StoredResource;

/**
 * Answers from the stored JSON. Every version is stored as the JSON HAPI's encoder wrote for it, with its id and
 * {@code meta.versionId}/{@code meta.lastUpdated} filled in: what a plain JSON answer would encode again after parsing
 * it. Parsing and re-encoding it was a fifth of a read's CPU and most of a search page's, so when the request asks for
 * no conversion ({@link #servable}) the providers hand HAPI a <em>view</em> of the stored version instead of the parsed
 * resource, and {@link StoredJsonWriter} writes the stored bytes.
 *
 * <p>A view is a resource of the stored type holding only what HAPI and the response interceptors read before the body
 * is written: the id with its version (ETag, {@code If-None-Match}, {@code fullUrl}), {@code meta.lastUpdated}
 * ({@code Last-Modified}), and for a read the patient references at the top level ({@code subject}, {@code patient}, {@code for},
 * {@code beneficiary}), which the audit trail records. An interceptor that needs more must ask for the whole
 * resource with {@link #full}.
 */
public final class StoredJson {

	/** The user-data key under which a view carries its stored version's JSON. */
	private static final String JSON_KEY = StoredJson.class.getName() + ".json";
	private static final Set<String> PATIENT_ELEMENTS = Set.of("subject", "patient", "for", "beneficiary");
	private static final Set<String> JSON_FORMATS = Set.of("json", Constants.CT_FHIR_JSON_NEW, Constants.CT_FHIR_JSON, Constants.CT_JSON);
	private static final JsonFactory JSON = new JsonFactory();

	private StoredJson() {}

	/**
	 * Whether the answer to this request would be the stored JSON as it is: JSON (not XML, not the browser's HTML view),
	 * not pretty-printed, not gzipped, and no {@code _summary} or {@code _elements} to apply.
	 */
	public static boolean servable(RequestDetails request) {
		if (request == null || request.getServer() == null || request.isRespondGzip()) {
			return false;
		}
		String[] summary = request.getParameters().get(Constants.PARAM_SUMMARY);
		if (summary != null && !(summary.length == 1 && "false".equals(summary[0].trim()))) {
			return false;
		}
		for (String name : request.getParameters().keySet()) {
			if (name.startsWith(Constants.PARAM_ELEMENTS)) {
				// _elements, and _elements:exclude
				return false;
			}
		}
		String[] format = request.getParameters().get(Constants.PARAM_FORMAT);
		if (format != null && !(format.length == 1 && JSON_FORMATS.contains(format[0].trim().toLowerCase(Locale.ROOT)))) {
			return false;
		}
		String accept = request.getHeader(Constants.HEADER_ACCEPT);
		if (accept != null && accept.toLowerCase(Locale.ROOT).contains("html")) {
			return false;
		}
		RestfulServerUtils.ResponseEncoding encoding = RestfulServerUtils.determineResponseEncodingNoDefault(request, EncodingEnum.JSON);
		if (encoding != null && encoding.getEncoding() != EncodingEnum.JSON) {
			return false;
		}
		return !RestfulServerUtils.prettyPrintResponse(request.getServer(), request);
	}

	/** A view of a stored version read by id (see the class comment); its JSON is written as stored. */
	public static Resource view(FhirContext fhirContext, StoredResource stored) {
		Resource view = entryView(fhirContext, stored);
		if (!"Patient".equals(stored.type())) {
			addPatientReferences(view, stored.json());
		}
		return view;
	}

	/**
	 * A view of a stored version that is an entry of a search or history Bundle: without the patient references, which the audit
	 * trail reads for a read only (a search records the patients it asked for). Reading them was an eighth of a work-queue page's
	 * CPU in the gateway.
	 */
	static Resource entryView(FhirContext fhirContext, StoredResource stored) {
		Resource view = (Resource) fhirContext.getResourceDefinition(stored.type()).newInstance();
		view.setIdElement(new IdType(stored.type(), stored.id(), Integer.toString(stored.version())));
		view.getMeta().setVersionId(Integer.toString(stored.version()));
		view.getMeta().setLastUpdated(Date.from(stored.lastUpdated()));
		view.setUserData(JSON_KEY, stored.json());
		return view;
	}

	/** The stored JSON a view stands for, or null for any other resource. */
	public static String jsonOf(IBaseResource resource) {
		return resource instanceof Resource r ? (String) r.getUserData(JSON_KEY) : null;
	}

	/** The whole resource: a view parsed from its stored JSON, any other resource as it is. */
	public static IBaseResource full(FhirContext fhirContext, IBaseResource resource) {
		String json = jsonOf(resource);
		return json == null ? resource : fhirContext.newJsonParser().parseResource(json);
	}

	/** Copies the top-level patient references into the view: a streaming pass over the JSON that skips everything else. */
	private static void addPatientReferences(Resource view, String json) {
		try (JsonParser parser = JSON.createParser(json)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				return;
			}
			while (parser.nextToken() == JsonToken.FIELD_NAME) {
				String name = parser.currentName();
				JsonToken value = parser.nextToken();
				if (!PATIENT_ELEMENTS.contains(name) || view.getNamedProperty(name) == null) {
					parser.skipChildren();
				} else if (value == JsonToken.START_OBJECT) {
					addReference(view, name, parser);
				} else if (value == JsonToken.START_ARRAY) {
					while (parser.nextToken() == JsonToken.START_OBJECT) {
						addReference(view, name, parser);
					}
				}
			}
		} catch (IOException e) {
			throw new UncheckedIOException("Stored JSON of " + view.fhirType() + " could not be read", e);
		}
	}

	/** Reads one Reference object (the parser on its START_OBJECT) and adds its reference, if it has one, to the view. */
	private static void addReference(Resource view, String name, JsonParser parser) throws IOException {
		String reference = null;
		while (parser.nextToken() == JsonToken.FIELD_NAME) {
			String field = parser.currentName();
			JsonToken value = parser.nextToken();
			if ("reference".equals(field) && value == JsonToken.VALUE_STRING) {
				reference = parser.getText();
			} else {
				parser.skipChildren();
			}
		}
		if (reference != null) {
			try {
				view.setProperty(name, new Reference(reference));
			} catch (FHIRException notAReference) {
				// An element of that name that is not a Reference on this type names no patient.
			}
		}
	}
}
