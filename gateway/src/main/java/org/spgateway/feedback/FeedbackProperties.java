package org.spgateway.feedback;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code gateway.feedback.*}: feedback to referrers (docs/feedback.md). */
@ConfigurationProperties(prefix = "gateway.feedback")
public class FeedbackProperties {

	/** Whether lifecycle changes produce feedback Communications at all. */
	private boolean enabled = true;

	/** Deliver only to https Endpoint addresses (feedback carries patient data); plain http only for local testing. */
	private boolean requireHttps = true;

	/**
	 * The gateway's own FHIR base as referrers should see it, for fullUrls and the BaRS source endpoint;
	 * defaults to gateway.public-base-url, else http://localhost:8080/fhir.
	 */
	private String baseUrl;

	/**
	 * The StructureMap (canonical URL, loaded from a conformance location) that makes the BaRS servicerequest-response message for
	 * referrers with an hl7-fhir-msg Endpoint; a deployment's own map in gateway.conformance.additional-locations replaces the shipped
	 * one by naming it here.
	 */
	private String barsMap = "https://spgateway.org/fhir/StructureMap/bars-servicerequest-response";

	public boolean isEnabled() {
		return enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public boolean isRequireHttps() {
		return requireHttps;
	}

	public void setRequireHttps(boolean requireHttps) {
		this.requireHttps = requireHttps;
	}

	public String getBaseUrl() {
		return baseUrl;
	}

	public void setBaseUrl(String baseUrl) {
		this.baseUrl = baseUrl;
	}

	public String getBarsMap() {
		return barsMap;
	}

	public void setBarsMap(String barsMap) {
		this.barsMap = barsMap;
	}
}
