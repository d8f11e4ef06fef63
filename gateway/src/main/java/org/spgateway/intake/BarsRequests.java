package org.spgateway.intake;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.slf4j.MDC;
import org.spgateway.fhir.Outcomes;
import org.spgateway.server.RequestIdFilter;

/**
 * What a BaRS request's headers decide before its message is read: the BaRS version the sender asks
 * for ({@code Accept: application/fhir+json; version=1.1.0}) and whether its X-Request-Id has been used
 * before. BaRS makes each request id single-use: a request id the gateway has processed is a 409
 * (REC_CONFLICT), with the same message (already processed) or another.
 */
final class BarsRequests {

	/** The major version of BaRS this gateway speaks. */
	static final int BARS_MAJOR_VERSION = 1;
	private static final Pattern VERSION = Pattern.compile("(?i)\\bversion\\s*=\\s*\"?([^;,\"\\s]+)");

	private final ReferralRecords records;

	BarsRequests(ReferralRecords records) {
		this.records = records;
	}

	/** A major version other than the one this gateway speaks is a 406; no version asked for is fine. */
	static void checkVersion(String accept) {
		if (accept == null) {
			return;
		}
		Matcher m = VERSION.matcher(accept);
		if (!m.find()) {
			return;
		}
		String version = m.group(1);
		String major = version.contains(".") ? version.substring(0, version.indexOf('.')) : version;
		if (!major.equals(String.valueOf(BARS_MAJOR_VERSION))) {
			String text = "This gateway speaks BaRS version " + BARS_MAJOR_VERSION + ".x; the Accept header asks for version " + version
					+ ". Send the message as BaRS " + BARS_MAJOR_VERSION + " (Accept: application/fhir+json; version=" + BARS_MAJOR_VERSION + ".1.0)";
			throw new UnclassifiedServerFailureException(406, text, Outcomes.single(IssueSeverity.ERROR, IssueType.NOTSUPPORTED, text, null));
		}
	}

	/** The X-Request-Id the caller sent, when the gateway took it as the request's id (a UUID); null otherwise. */
	static String callerRequestId(RequestDetails request) {
		String sent = request.getHeader(RequestIdFilter.REQUEST_ID);
		return sent != null && sent.trim().equals(MDC.get(RequestIdFilter.MDC_REQUEST_ID)) ? sent.trim() : null;
	}

	/** A request id the gateway has processed before is a 409, whatever the message: each request needs its own. */
	void checkUnused(String requestId, String fingerprint) {
		if (requestId == null) {
			return;
		}
		ReferralRecords.Request earlier = records.findRequest(requestId).orElse(null);
		if (earlier == null) {
			return;
		}
		String text = earlier.fingerprint().equals(fingerprint)
				? "This message has already been processed under X-Request-Id " + requestId + " (message " + earlier.bundleId() + "); nothing was"
						+ " stored again. To send it again, use a new X-Request-Id: the gateway then answers as it did the first time"
				: "X-Request-Id " + requestId + " was already used for a different message (" + earlier.bundleId() + "); every request needs a new"
						+ " X-Request-Id";
		throw new ResourceVersionConflictException(text, Outcomes.single(IssueSeverity.ERROR, IssueType.DUPLICATE, text, null));
	}

	/**
	 * Records a processed request, in the transaction that processed it. A request id recorded meanwhile by
	 * a concurrent request is a 409 as above; false when nothing could be recorded for another reason.
	 */
	boolean record(String requestId, String fingerprint, String bundleId) {
		if (requestId == null || records.insertRequest(new ReferralRecords.Request(requestId, fingerprint, bundleId))) {
			return true;
		}
		checkUnused(requestId, fingerprint);
		return false;
	}
}
