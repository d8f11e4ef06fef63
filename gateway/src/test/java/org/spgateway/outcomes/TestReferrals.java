package org.spgateway.outcomes;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;

/**
 * Creates the Patients and referrals outcome tests need, through the REST API as any client would. The
 * one place to adapt if referral intake adds rules to ServiceRequest creation.
 */
final class TestReferrals {

	record Referral(String id, String patientId, String nhsNumber) {

		String reference() {
			return "ServiceRequest/" + id;
		}

		String patientReference() {
			return "Patient/" + patientId;
		}

		/** The ids golden files refer to as {{patient}}, {{referral}} and {{nhsNumber}}. */
		java.util.Map<String, String> placeholders() {
			return new java.util.HashMap<>(java.util.Map.of("patient", patientId, "referral", id, "nhsNumber", nhsNumber));
		}
	}

	private TestReferrals() {}

	/** A new Patient and an active referral for them to the example's link-worker service. */
	static Referral create(GatewayServer gateway) {
		return create(gateway, null);
	}

	/** As {@link #create(GatewayServer)}, with the referral's performer replaced (e.g. by a HealthcareService). */
	static Referral create(GatewayServer gateway, Reference performer) {
		IGenericClient client = gateway.client();
		String nhsNumber = nhsNumber();
		Patient patient = Fixtures.resource(TestReferrals.class, "patient.json", Patient.class);
		patient.getIdentifierFirstRep().setValue(nhsNumber);
		String patientId = client.create().resource(patient).execute().getId().getIdPart();
		ServiceRequest referral = Fixtures.resource(TestReferrals.class, "referral.json", ServiceRequest.class);
		referral.getIdentifierFirstRep().setValue("REF-" + UUID.randomUUID());
		referral.getSubject().setReference("Patient/" + patientId).getIdentifier().setValue(nhsNumber);
		if (performer != null) {
			referral.getPerformer().clear();
			referral.addPerformer(performer);
		}
		String referralId = client.create().resource(referral).execute().getId().getIdPart();
		return new Referral(referralId, patientId, nhsNumber);
	}

	/** A random NHS number with a valid Modulus 11 check digit. */
	static String nhsNumber() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		while (true) {
			StringBuilder digits = new StringBuilder("9");
			for (int i = 1; i < 9; i++) {
				digits.append(random.nextInt(10));
			}
			int sum = 0;
			for (int i = 0; i < 9; i++) {
				sum += (digits.charAt(i) - '0') * (10 - i);
			}
			int check = 11 - sum % 11;
			if (check == 11) {
				check = 0;
			}
			if (check != 10) {
				return digits.append(check).toString();
			}
		}
	}
}
