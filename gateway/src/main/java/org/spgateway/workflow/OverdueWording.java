package org.spgateway.workflow;

import java.time.Duration;

/** The plain words $overdue puts beside each overdue item. */
final class OverdueWording {

	private OverdueWording() {}

	static String describe(OverdueWork.Item item, WorkflowProperties properties) {
		return switch (item.kind()) {
			case "response-overdue" -> "Referral not yet accepted or rejected; the service's response deadline has passed";
			case "contact-overdue" -> "Accepted, but no contact with the person recorded within " + days(properties.getContactWithin());
			case "onward-outcome-overdue" -> "Onward referral with no outcome recorded within " + days(properties.getOnwardOutcomeWithin())
					+ " (attended, did not attend, still attending or finished)";
			case "review-due" -> "Outcome review due: " + item.detail();
			case "feedback-undelivered" -> "The referrer's system has not acknowledged feedback (" + item.detail() + ") within "
					+ days(properties.getFeedbackWithin()) + "; see the referral's Communications";
			default -> item.kind();
		};
	}

	private static String days(Duration d) {
		long days = d.toDays();
		return days >= 1 ? days + (days == 1 ? " day" : " days") : d.toHours() + " hours";
	}
}
