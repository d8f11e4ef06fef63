package org.spgateway.mapping;

/**
 * A map that could not translate a payload: which map, at which rule, and why, in words a partner's
 * integrator can act on. Answered as a 422 OperationOutcome; nothing is stored.
 */
public class MappingFailure extends RuntimeException {

	private final String mapUrl;
	private final String mapName;
	private final String rule;
	private final String problem;

	public MappingFailure(String mapUrl, String mapName, String rule, String problem) {
		super("The map " + mapName + " (" + mapUrl + ") failed" + (rule == null ? "" : " at rule '" + rule + "'") + ": " + problem);
		this.mapUrl = mapUrl;
		this.mapName = mapName;
		this.rule = rule;
		this.problem = problem;
	}

	public String mapUrl() {
		return mapUrl;
	}

	public String mapName() {
		return mapName;
	}

	/** The rule that failed, or null when the failure is not within one rule. */
	public String rule() {
		return rule;
	}

	public String problem() {
		return problem;
	}
}
