package org.spgateway.resources;

import ca.uhn.fhir.rest.api.EncodingEnum;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.StringReader;
import java.io.StringWriter;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * The "resource" parameter of a Parameters body (as $validate receives it from most clients), cut out of
 * the body as sent. Validating a re-encoded copy would miss what the parser drops, such as unknown
 * elements, and give a different answer than the same resource sent on its own.
 */
final class ParametersResource {

	private static final ObjectMapper JSON = new ObjectMapper()
			.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
			.setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
	private static final String FHIR_NS = "http://hl7.org/fhir";
	private static final Logger log = LoggerFactory.getLogger(ParametersResource.class);

	private ParametersResource() {}

	/** The raw text of the first "resource" parameter's resource, or null if there is none. */
	static String extract(String body, EncodingEnum encoding) {
		try {
			return encoding == EncodingEnum.XML ? fromXml(body) : fromJson(body);
		} catch (Exception e) {
			// The body parsed as FHIR already, so this is the gateway's fault, not the caller's: validation falls back to the parsed
			// copy (which cannot see unknown elements), and the log says so, by class only: the message may quote the body.
			log.warn("$validate could not cut the resource out of the Parameters body ({}); validating the parsed copy instead",
					e.getClass().getSimpleName());
			return null;
		}
	}

	private static String fromJson(String body) throws Exception {
		for (JsonNode parameter : JSON.readTree(body).path("parameter")) {
			if ("resource".equals(parameter.path("name").asText()) && parameter.has("resource")) {
				return JSON.writeValueAsString(parameter.get("resource"));
			}
		}
		return null;
	}

	private static String fromXml(String body) throws Exception {
		DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
		factory.setNamespaceAware(true);
		factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
		factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
		Document document = factory.newDocumentBuilder().parse(new InputSource(new StringReader(body)));
		for (Node parameter = document.getDocumentElement().getFirstChild(); parameter != null; parameter = parameter.getNextSibling()) {
			if (parameter instanceof Element p && "parameter".equals(p.getLocalName()) && isResourceParameter(p)) {
				Element resource = child(p, "resource");
				Element content = resource == null ? null : firstElement(resource);
				if (content != null) {
					StringWriter out = new StringWriter();
					var transformer = TransformerFactory.newInstance().newTransformer();
					transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
					transformer.transform(new DOMSource(content), new StreamResult(out));
					return out.toString();
				}
			}
		}
		return null;
	}

	private static boolean isResourceParameter(Element parameter) {
		Element name = child(parameter, "name");
		return name != null && "resource".equals(name.getAttribute("value"));
	}

	private static Element child(Element parent, String localName) {
		for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
			if (n instanceof Element e && localName.equals(e.getLocalName()) && FHIR_NS.equals(e.getNamespaceURI())) {
				return e;
			}
		}
		return null;
	}

	private static Element firstElement(Element parent) {
		for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
			if (n instanceof Element e) {
				return e;
			}
		}
		return null;
	}
}
