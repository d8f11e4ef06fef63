package org.spgateway.outcomes;

import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.UriType;
import org.spgateway.fhir.Outcomes;
import org.spgateway.security.AccessScope;
import org.spgateway.security.RequestGate;
import org.spgateway.server.SystemProvider;

/** The outcome operations on referrals; thin: {@link OutcomeSummary} and {@link ReviewSchedule} decide. */
public class OutcomesProvider implements SystemProvider {

	private final OutcomeSummary summary;
	private final ReviewSchedule schedule;
	private final OutcomesProperties properties;

	OutcomesProvider(OutcomeSummary summary, ReviewSchedule schedule, OutcomesProperties properties) {
		this.summary = summary;
		this.schedule = schedule;
		this.properties = properties;
	}

	@Description(shortDefinition = "Outcomes of a referral: baseline, latest and change per instrument",
			value = "For each outcome instrument (scored Questionnaire) used on this referral: the baseline (first completed response,"
					+ " by authored time) and latest response with their dates, and for every scored item and the total its baseline,"
					+ " latest and change (latest minus baseline) with the direction in which the score improves (higher-is-better or"
					+ " lower-is-better) and an interpretation (improved, worse, unchanged); the review interval and, while the referral"
					+ " is active, when the next review is due. Versions of an instrument that score differently are reported"
					+ " separately. See docs/outcomes.md.")
	@Operation(name = "$outcomes", typeName = "ServiceRequest", idempotent = true)
	public Parameters outcomes(@IdParam IdType id, RequestDetails request) {
		return summary.summarize(id.getIdPart(), RequestGate.scopeOf(request));
	}

	@Description(shortDefinition = "Outcome reviews due (or overdue) on active referrals",
			value = "Every active referral whose next outcome review of an instrument falls due on or before dueBy (default: today, so"
					+ " everything due or overdue), earliest first, with the last response and the interval that applied. Paged with"
					+ " _count and _offset; total gives the number of reviews due. See docs/outcomes.md.")
	@Operation(name = "$reviews-due", typeName = "ServiceRequest", idempotent = true)
	public Parameters reviewsDue(
			@Description(shortDefinition = "Reviews due on or before this date (default today)")
			@OperationParam(name = "dueBy", min = 0, max = 1) DateType dueBy,
			@Description(shortDefinition = "Only this instrument (Questionnaire url, without version)")
			@OperationParam(name = "instrument", min = 0, max = 1) UriType instrument,
			@Description(shortDefinition = "Most reviews to return (default 50)")
			@OperationParam(name = "_count", min = 0, max = 1) IntegerType count,
			@Description(shortDefinition = "Reviews to skip, for paging")
			@OperationParam(name = "_offset", min = 0, max = 1) IntegerType offset,
			RequestDetails request) {
		LocalDate today = schedule.today();
		LocalDate by = dueBy == null || dueBy.getValue() == null ? today : LocalDate.parse(dueBy.getValueAsString().substring(0, 10));
		if (dueBy != null && dueBy.getPrecision() != ca.uhn.fhir.model.api.TemporalPrecisionEnum.DAY) {
			throw Outcomes.invalid("dueBy must be a full date (YYYY-MM-DD), not '" + dueBy.getValueAsString() + "'", "dueBy");
		}
		int n = count == null || count.getValue() == null ? properties.getReviewsPageSize() : count.getValue();
		int skip = offset == null || offset.getValue() == null ? 0 : offset.getValue();
		if (n < 0 || skip < 0) {
			throw Outcomes.invalid("_count and _offset must be zero or more", null);
		}
		n = Math.min(n, properties.getMaxReviewsPageSize());
		String url = instrument == null || !instrument.hasValue() ? null : instrument.getValue();
		if (url != null && url.contains("|")) {
			// Reviews are per instrument, whatever the version: url|version means the url.
			url = url.substring(0, url.indexOf('|'));
		}
		AccessScope scope = RequestGate.scopeOf(request);
		List<ReviewSchedule.DueReview> due = schedule.due(by, url, skip, n, scope);
		Parameters result = new Parameters();
		result.addParameter().setName("dueBy").setValue(new DateType(by.toString()));
		result.addParameter().setName("total").setValue(new IntegerType(schedule.countDue(by, url, scope)));
		for (ReviewSchedule.DueReview r : due) {
			ParametersParameterComponent review = result.addParameter().setName("review");
			review.addPart().setName("referral").setValue(new Reference("ServiceRequest/" + r.referralId()));
			if (r.patient() != null) {
				review.addPart().setName("patient").setValue(new Reference(r.patient()));
			}
			review.addPart().setName("instrument").setValue(new UriType(r.instrument()));
			review.addPart().setName("questionnaire").setValue(new CanonicalType(r.questionnaire()));
			if (r.name() != null) {
				review.addPart().setName("name").setValue(new StringType(r.name()));
			}
			review.addPart().setName("lastResponse").setValue(new Reference("QuestionnaireResponse/" + r.latestResponse()));
			review.addPart().setName("lastResponseDate").setValue(new DateTimeType(java.util.Date.from(r.latestAuthored()),
					ca.uhn.fhir.model.api.TemporalPrecisionEnum.SECOND, java.util.TimeZone.getTimeZone(properties.getTimeZone())));
			review.addPart().setName("reviewInterval").setValue(OutcomeSummary.duration(r.interval()));
			review.addPart().setName("reviewIntervalSource").setValue(new CodeType(r.source()));
			review.addPart().setName("reviewDue").setValue(new DateType(r.due().toString()));
			review.addPart().setName("daysOverdue").setValue(new IntegerType(Math.max(0, ChronoUnit.DAYS.between(r.due(), today))));
		}
		return result;
	}
}
