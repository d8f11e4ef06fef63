package org.spgateway.outcomes;

/** Which way a score improves (extension sp-score-direction; higher is better when it is absent). */
public enum ScoreDirection {

	HIGHER_IS_BETTER("higher-is-better"),
	LOWER_IS_BETTER("lower-is-better");

	private final String code;

	ScoreDirection(String code) {
		this.code = code;
	}

	public String code() {
		return code;
	}

	public static ScoreDirection fromCode(String code) {
		for (ScoreDirection d : values()) {
			if (d.code.equals(code)) {
				return d;
			}
		}
		return null;
	}

	/** improved, worse or unchanged, for a change of {@code change} points. */
	public String interpret(int change) {
		if (change == 0) {
			return "unchanged";
		}
		boolean better = this == HIGHER_IS_BETTER ? change > 0 : change < 0;
		return better ? "improved" : "worse";
	}
}
