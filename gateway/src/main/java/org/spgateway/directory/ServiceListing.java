package org.spgateway.directory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;

/**
 * A service in the directory, as intake needs it: read once from its HealthcareService when the
 * directory is loaded, so that routing and eligibility never parse FHIR or touch the database.
 *
 * @param dosId the Directory of Services id, or null
 * @param provider the organisation that runs the service (owner of its referrals' Tasks)
 * @param coveredPractices ODS codes of the practices whose patients it takes
 * @param referralRoute referral, self-referral or any (sp-referral-route); null means any
 * @param acceptedCodes ServiceRequest codes accepted besides Referral to social prescribing service
 */
public record ServiceListing(
		String id,
		String dosId,
		Identifier identifier,
		String name,
		DirectoryOrganization provider,
		boolean active,
		List<Unavailability> notAvailable,
		Set<String> coveredPractices,
		EligibilityRules rules,
		Duration typicalWait,
		Duration responseTime,
		String referralRoute,
		List<Coding> acceptedCodes,
		List<ContactPoint> telecom) {

	/** A period in which the service takes no referrals, with the service's own words for why. */
	public record Unavailability(String description, Instant start, Instant end) {

		boolean covers(Instant at) {
			return (start == null || !at.isBefore(start)) && (end == null || at.isBefore(end));
		}
	}

	/** Null when the service takes referrals at {@code at}; otherwise why not, in plain words. */
	public String unavailableReason(Instant at) {
		if (!active) {
			return name + " is not taking referrals (it is marked inactive in the directory)";
		}
		for (Unavailability u : notAvailable) {
			if (u.covers(at)) {
				return name + " is not taking referrals" + (u.end() == null ? "" : " until " + u.end().toString().substring(0, 10))
						+ (u.description() == null || u.description().isBlank() ? "" : ": " + u.description());
			}
		}
		return null;
	}

	public boolean selfReferralOnly() {
		return "self-referral".equals(referralRoute);
	}

	/** Covers no practice in particular: it can be named by any referrer but is never chosen automatically. */
	public boolean coversAnyPractice() {
		return coveredPractices.isEmpty();
	}

	/** "Long-term conditions link worker service (DoS 9000001, Northside Wellbeing Partnership)". */
	public String label() {
		return name + " (" + (dosId != null ? "DoS " + dosId + ", " : "") + provider.name() + ")";
	}

	/** A reference to the service: literal, with its identifier and name. */
	public Reference reference() {
		Reference ref = new Reference("HealthcareService/" + id).setDisplay(name);
		if (identifier != null) {
			ref.setIdentifier(identifier.copy());
		}
		return ref;
	}

	public String typicalWaitText() {
		if (typicalWait == null) {
			return null;
		}
		long days = typicalWait.toDays();
		return days >= 1 ? "typical wait " + days + (days == 1 ? " day" : " days") : "typical wait under a day";
	}
}
