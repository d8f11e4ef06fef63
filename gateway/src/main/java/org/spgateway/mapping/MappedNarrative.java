package org.spgateway.mapping;

import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.utilities.xhtml.NodeType;
import org.hl7.fhir.utilities.xhtml.XhtmlNode;

/**
 * A Narrative a map makes with {@code create('Narrative')}: its {@code div} may be set from plain words, which become the text of
 * an XHTML div (escaped, so a person's words can never be markup). HAPI's R4 Narrative cannot take a text for its div from a map
 * (its setProperty casts any value to XhtmlType), so without this a map could not write a document's narrative. A map's result is
 * copied before it leaves the engine, and the copy is a plain Narrative.
 */
final class MappedNarrative extends Narrative {

	private static final String XHTML = "http://www.w3.org/1999/xhtml";

	@Override
	public Base setProperty(int hash, String name, Base value) throws FHIRException {
		if ("div".equals(name) && value != null && value.isPrimitive()) {
			XhtmlNode div = new XhtmlNode(NodeType.Element, "div");
			div.setAttribute("xmlns", XHTML);
			div.addText(value.primitiveValue());
			setDiv(div);
			return value;
		}
		return super.setProperty(hash, name, value);
	}

	@Override
	public Base setProperty(String name, Base value) throws FHIRException {
		return setProperty(name.hashCode(), name, value);
	}
}
