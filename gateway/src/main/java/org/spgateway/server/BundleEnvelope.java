package org.spgateway.server;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Meta;

/**
 * Writes a search or history Bundle as HAPI's JSON encoder would, without it: the Bundle HAPI built (links, total, fullUrls,
 * search modes, history requests) is written element by element, each entry's resource spliced in from its stored JSON (or, for
 * one that is not a stored version, such as a search's OperationOutcome, encoded by HAPI alone). HAPI's encoder spent most of a
 * work-queue page's CPU in the gateway walking a Bundle of 60 placeholder entries by reflection (docs/performance.md, "The work
 * queue's plans and Bundle").
 *
 * <p>Only the elements HAPI's paging sets are written here; a Bundle with any other (an extension, a signature, meta tags) is
 * left to HAPI ({@link #write} answers null), so nothing is ever dropped.
 */
final class BundleEnvelope {

	private static final JsonFactory JSON = new JsonFactory();

	private BundleEnvelope() {}

	/**
	 * The Bundle's JSON as UTF-8, or null when it holds an element this writer does not write. {@code encoder}: for an entry that is
	 * not a stored version (rare: a search's OperationOutcome), so that no parser is made for a page without one.
	 */
	static byte[] write(Bundle bundle, Function<IBaseResource, String> encoder) {
		if (!plain(bundle)) {
			return null;
		}
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192 + 1400 * bundle.getEntry().size());
		try (JsonGenerator json = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
			json.writeStartObject();
			json.writeStringField("resourceType", "Bundle");
			if (bundle.getIdElement().hasIdPart()) {
				json.writeStringField("id", bundle.getIdElement().getIdPart());
			}
			if (bundle.getMeta().hasLastUpdated()) {
				json.writeObjectFieldStart("meta");
				json.writeStringField("lastUpdated", bundle.getMeta().getLastUpdatedElement().getValueAsString());
				json.writeEndObject();
			}
			if (bundle.hasType()) {
				json.writeStringField("type", bundle.getType().toCode());
			}
			if (bundle.hasTotalElement()) {
				json.writeNumberField("total", bundle.getTotal());
			}
			if (bundle.hasLink()) {
				json.writeArrayFieldStart("link");
				for (Bundle.BundleLinkComponent link : bundle.getLink()) {
					json.writeStartObject();
					stringField(json, "relation", link.getRelation());
					stringField(json, "url", link.getUrl());
					json.writeEndObject();
				}
				json.writeEndArray();
			}
			if (bundle.hasEntry()) {
				json.writeArrayFieldStart("entry");
				for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
					entry(json, bytes, entry, encoder);
				}
				json.writeEndArray();
			}
			json.writeEndObject();
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return bytes.toByteArray();
	}

	private static void entry(JsonGenerator json, ByteArrayOutputStream out, Bundle.BundleEntryComponent entry,
			Function<IBaseResource, String> encoder)
			throws IOException {
		json.writeStartObject();
		stringField(json, "fullUrl", entry.getFullUrl());
		if (entry.getResource() != null) {
			String stored = StoredJson.jsonOf(entry.getResource());
			json.writeFieldName("resource");
			if (stored != null) {
				// Encoded by the JDK's intrinsic rather than the generator's loop over its characters (a tenth of the page's CPU).
				json.writeRawValue("");
				json.flush();
				out.write(stored.getBytes(StandardCharsets.UTF_8));
			} else {
				json.writeRawValue(encoder.apply(entry.getResource()));
			}
		}
		if (entry.hasSearch()) {
			json.writeObjectFieldStart("search");
			if (entry.getSearch().hasMode()) {
				json.writeStringField("mode", entry.getSearch().getMode().toCode());
			}
			if (entry.getSearch().hasScore()) {
				json.writeFieldName("score");
				json.writeNumber(entry.getSearch().getScoreElement().getValueAsString());
			}
			json.writeEndObject();
		}
		if (entry.hasRequest()) {
			json.writeObjectFieldStart("request");
			if (entry.getRequest().hasMethod()) {
				json.writeStringField("method", entry.getRequest().getMethod().toCode());
			}
			stringField(json, "url", entry.getRequest().getUrl());
			json.writeEndObject();
		}
		if (entry.hasResponse()) {
			Bundle.BundleEntryResponseComponent response = entry.getResponse();
			json.writeObjectFieldStart("response");
			stringField(json, "status", response.getStatus());
			stringField(json, "location", response.getLocation());
			stringField(json, "etag", response.getEtag());
			if (response.hasLastModified()) {
				json.writeStringField("lastModified", response.getLastModifiedElement().getValueAsString());
			}
			json.writeEndObject();
		}
		json.writeEndObject();
	}

	private static void stringField(JsonGenerator json, String name, String value) throws IOException {
		if (value != null && !value.isEmpty()) {
			json.writeStringField(name, value);
		}
	}

	/** Whether the Bundle holds only what {@link #write} writes: what HAPI's paging sets on a search or history Bundle. */
	private static boolean plain(Bundle bundle) {
		Meta meta = bundle.getMeta();
		if (bundle.hasImplicitRules() || bundle.hasLanguage()
				|| bundle.hasIdentifier() || bundle.hasTimestamp() || bundle.hasSignature() || bundle.getIdElement().hasVersionIdPart()
				|| meta.hasVersionId() || meta.hasProfile() || meta.hasTag() || meta.hasSecurity() || meta.hasSource()
				|| meta.hasExtension() || meta.hasId()) {
			return false;
		}
		for (Bundle.BundleLinkComponent link : bundle.getLink()) {
			if (link.hasExtension() || link.hasModifierExtension() || link.hasId()) {
				return false;
			}
		}
		for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
			if (entry.hasExtension() || entry.hasModifierExtension() || entry.hasId() || entry.hasLink()
					|| entry.hasSearch() && (entry.getSearch().hasExtension() || entry.getSearch().hasModifierExtension() || entry.getSearch().hasId())
					|| entry.hasRequest() && !plain(entry.getRequest()) || entry.hasResponse() && !plain(entry.getResponse())) {
				return false;
			}
		}
		return true;
	}

	private static boolean plain(Bundle.BundleEntryRequestComponent request) {
		return !(request.hasExtension() || request.hasModifierExtension() || request.hasId() || request.hasIfNoneMatch()
				|| request.hasIfModifiedSince() || request.hasIfMatch() || request.hasIfNoneExist());
	}

	private static boolean plain(Bundle.BundleEntryResponseComponent response) {
		return !(response.hasExtension() || response.hasModifierExtension() || response.hasId() || response.hasOutcome());
	}
}
