package org.spgateway.workflow;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code gateway.workflow.*}: when a referral's work counts as overdue (docs/referral-lifecycle.md). */
@ConfigurationProperties(prefix = "gateway.workflow")
public class WorkflowProperties {

	/** How long after accepting a referral the person should have been contacted (a step that counts as contact). */
	private Duration contactWithin = Duration.ofDays(5);

	/** How long after an onward referral the onward service (or the link worker for it) should report an outcome. */
	private Duration onwardOutcomeWithin = Duration.ofDays(28);

	/** How long feedback may wait for the referrer's system to acknowledge it before the referral is not closed-loop in time. */
	private Duration feedbackWithin = Duration.ofDays(1);

	/** Rows Task/$overdue returns when the caller gives no _count, and the most it returns at once. */
	private int overduePageSize = 50;
	private int maxOverduePageSize = 500;

	public Duration getContactWithin() {
		return contactWithin;
	}

	public void setContactWithin(Duration contactWithin) {
		this.contactWithin = contactWithin;
	}

	public Duration getOnwardOutcomeWithin() {
		return onwardOutcomeWithin;
	}

	public void setOnwardOutcomeWithin(Duration onwardOutcomeWithin) {
		this.onwardOutcomeWithin = onwardOutcomeWithin;
	}

	public Duration getFeedbackWithin() {
		return feedbackWithin;
	}

	public void setFeedbackWithin(Duration feedbackWithin) {
		this.feedbackWithin = feedbackWithin;
	}

	public int getOverduePageSize() {
		return overduePageSize;
	}

	public void setOverduePageSize(int overduePageSize) {
		this.overduePageSize = overduePageSize;
	}

	public int getMaxOverduePageSize() {
		return maxOverduePageSize;
	}

	public void setMaxOverduePageSize(int maxOverduePageSize) {
		this.maxOverduePageSize = maxOverduePageSize;
	}
}
