package org.spgateway.workflow;

/** The code systems of the referral lifecycle (profiles/CodeSystem), by canonical url. */
public final class LifecycleCodes {

	public static final String REJECTION_REASON = "https://spgateway.org/fhir/CodeSystem/sp-rejection-reason";
	public static final String TASK_OUTPUT = "https://spgateway.org/fhir/CodeSystem/sp-task-output";
	public static final String ONWARD_SUPPORT = "https://spgateway.org/fhir/CodeSystem/sp-onward-support";
	public static final String BUDDYING = "buddying";

	/** Output types that say what the person was connected to. */
	public static final String ONWARD_REFERRAL = "onward-referral";
	public static final String SIGNPOSTING = "signposting";
	public static final String NO_ONWARD_CONNECTION = "no-onward-connection";
	public static final String OUTCOME_RESPONSE = "outcome-response";
	public static final String SUGGESTED_SERVICE = "suggested-service";

	private LifecycleCodes() {}
}
