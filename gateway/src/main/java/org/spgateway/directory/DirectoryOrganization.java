package org.spgateway.directory;

import java.util.List;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;

/**
 * An organisation in the directory (GP practice, provider, community group).
 *
 * @param ods its ODS organisation code, or null (community groups often have none)
 * @param kinds Organization.type codings (sp-organization-kind and any others)
 */
public record DirectoryOrganization(String id, String ods, List<Identifier> identifiers, String name, List<Coding> kinds) {

	/** The identifier references carry: the ODS code when there is one. */
	public Identifier key() {
		if (ods != null) {
			return new Identifier().setSystem(org.spgateway.fhir.NhsIdentifiers.ODS_ORGANIZATION).setValue(ods);
		}
		return identifiers.isEmpty() ? null : identifiers.get(0).copy();
	}

	public Reference reference() {
		Reference ref = new Reference("Organization/" + id).setDisplay(name);
		Identifier key = key();
		if (key != null) {
			ref.setIdentifier(key);
		}
		return ref;
	}

	public String label() {
		return name + (ods != null ? " (" + ods + ")" : "");
	}
}
