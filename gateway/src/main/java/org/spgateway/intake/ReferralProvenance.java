package org.spgateway.intake;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.UrlType;

/**
 * Who sent a referral and how: a Provenance per accepted referral (and per change to it) naming the
 * referrer, the sending organisation and the sending system, with the request's ids, the BaRS message
 * and the BaRS headers decoded (extension sp-message-context).
 */
final class ReferralProvenance {

	static final String CONTEXT = "https://spgateway.org/fhir/StructureDefinition/sp-message-context";
	private static final String PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type";
	private static final String OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation";
	private static final String CHANNEL = "https://spgateway.org/fhir/CodeSystem/sp-intake-channel";

	private ReferralProvenance() {}

	/**
	 * @param targets versioned references to what was written (the referral first)
	 * @param sendingOrganisation the organisation the sending user works for (NHSD-End-User-Organisation or the BaRS sender), or null
	 */
	static Provenance of(List<Reference> targets, boolean created, Instant now, Reference referrer, Reference referringOrganisation,
			Reference sendingOrganisation, MessageContext message) {
		Provenance p = new Provenance();
		targets.forEach(t -> p.addTarget(t.copy()));
		p.setRecorded(Date.from(now));
		p.setActivity(new CodeableConcept().addCoding(new Coding(OPERATION, created ? "CREATE" : "UPDATE", created ? "create" : "revise")));
		Provenance.ProvenanceAgentComponent author = p.addAgent();
		author.setType(new CodeableConcept().addCoding(new Coding(PARTICIPANT, "author", "Author")));
		author.setWho(referrer.copy());
		if (referringOrganisation != null && !referringOrganisation.isEmpty() && !sameTarget(referrer, referringOrganisation)) {
			author.setOnBehalfOf(referringOrganisation.copy());
		}
		if (sendingOrganisation != null && !sendingOrganisation.isEmpty()) {
			Provenance.ProvenanceAgentComponent sender = p.addAgent();
			sender.setType(new CodeableConcept().addCoding(new Coding(PARTICIPANT, "enterer", "Enterer")).setText("Sending organisation"));
			sender.setWho(sendingOrganisation.copy());
		}
		String software = message.sendingSoftware();
		if (software != null) {
			Provenance.ProvenanceAgentComponent system = p.addAgent();
			system.setType(new CodeableConcept().addCoding(new Coding(PARTICIPANT, "assembler", "Assembler")).setText("Sending system"));
			system.setWho(new Reference().setType("Device").setDisplay(software));
			if (sendingOrganisation != null && !sendingOrganisation.isEmpty()) {
				system.setOnBehalfOf(sendingOrganisation.copy());
			}
		}
		if (message.isBars()) {
			p.addEntity().setRole(Provenance.ProvenanceEntityRole.SOURCE).setWhat(new Reference()
					.setIdentifier(new Identifier().setSystem("urn:ietf:rfc:3986").setValue("urn:uuid:" + message.message().bundleId()))
					.setDisplay("BaRS message " + message.message().bundleId() + " (" + message.message().reason() + ")"));
		}
		Extension context = p.addExtension().setUrl(CONTEXT);
		context.addExtension("channel", new org.hl7.fhir.r4.model.CodeType(message.channel()));
		if (message.requestId() != null) {
			context.addExtension("requestId", new StringType(message.requestId()));
		}
		if (message.correlationId() != null) {
			context.addExtension("correlationId", new StringType(message.correlationId()));
		}
		if (message.isBars()) {
			context.addExtension("messageId", new StringType(message.message().bundleId()));
			context.addExtension("messageReason", new org.hl7.fhir.r4.model.CodeType(message.message().reason()));
			if (message.message().replyTo() != null) {
				context.addExtension("replyTo", new UrlType(message.message().replyTo()));
			}
		}
		if (message.targetIdentifier() != null) {
			context.addExtension("targetIdentifier", message.targetIdentifier().copy());
		}
		if (message.endUserOrganisation() != null) {
			context.addExtension("endUserOrganisation", new Identifier().setSystem(org.spgateway.fhir.NhsIdentifiers.ODS_ORGANIZATION)
					.setValue(message.endUserOrganisation()));
		}
		if (message.requestingSoftware() != null) {
			context.addExtension("requestingSoftware", new StringType(message.requestingSoftware()));
		}
		return p;
	}

	private static boolean sameTarget(Reference a, Reference b) {
		return a.hasReference() && a.getReference().equals(b.getReference());
	}

	static String channelSystem() {
		return CHANNEL;
	}
}
