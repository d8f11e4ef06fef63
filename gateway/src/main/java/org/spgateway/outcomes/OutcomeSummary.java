package org.spgateway.outcomes;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Duration;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.Range;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StringType;
import org.spgateway.security.AccessScope;
import org.spgateway.store.StoredResource;

/**
 * {@code ServiceRequest/[id]/$outcomes}: for each instrument used on a referral, the baseline (its first
 * final response, by authored time), the latest, and the change of every scored item and of the total,
 * with which way is better, plus when the next review is due.
 *
 * <p>Versions of an instrument whose scoring is the same (same scored items, codes, ranges, reversal,
 * direction, total) form one series. A version that changes the scoring, such as the Wellbeing Star on a
 * 1 to 10 ladder after 1 to 5, starts a series of its own with its own baseline: change is never computed
 * across two scales.
 */
public final class OutcomeSummary {

	private final FhirContext fhirContext;
	private final StoreLookup lookup;
	private final InstrumentCatalog catalog;
	private final ReviewSchedule schedule;
	private final OutcomesProperties properties;

	private record Answered(QuestionnaireResponse response, String id, Instrument instrument, Instant authored, Instant stored) {}

	OutcomeSummary(FhirContext fhirContext, StoreLookup lookup, InstrumentCatalog catalog, ReviewSchedule schedule,
			OutcomesProperties properties) {
		this.fhirContext = fhirContext;
		this.lookup = lookup;
		this.catalog = catalog;
		this.schedule = schedule;
		this.properties = properties;
	}

	public Parameters summarize(String referralId, AccessScope scope) {
		StoredResource stored = lookup.store().read("ServiceRequest", referralId, scope)
				.orElseThrow(() -> new ResourceNotFoundException("ServiceRequest/" + referralId + " is not known"));
		ServiceRequest referral = fhirContext.newJsonParser().parseResource(ServiceRequest.class, stored.json());
		Map<String, List<Answered>> series = new LinkedHashMap<>();
		Map<String, Answered> latestByUrl = new LinkedHashMap<>();
		for (Answered a : responses(referralId, scope)) {
			series.computeIfAbsent(a.instrument().url() + "\n" + a.instrument().signature(), k -> new ArrayList<>()).add(a);
			latestByUrl.put(a.instrument().url(), a);
		}
		Parameters result = new Parameters();
		result.addParameter().setName("referral").setValue(new Reference("ServiceRequest/" + referralId));
		if (referral.hasSubject()) {
			result.addParameter().setName("patient").setValue(referral.getSubject().copy());
		}
		boolean open = ReviewSchedule.isOpen(referral);
		String serviceKey = ReviewSchedule.serviceKey(referral);
		LocalDate today = schedule.today();
		LocalDate earliestDue = null;
		List<ParametersParameterComponent> instruments = new ArrayList<>();
		List<List<Answered>> ordered = new ArrayList<>(series.values());
		ordered.sort(Comparator.comparing((List<Answered> s) -> String.valueOf(s.get(s.size() - 1).instrument().name()))
				.thenComparing(s -> s.get(0).authored()));
		for (List<Answered> responses : ordered) {
			Answered baseline = responses.get(0);
			Answered latest = responses.get(responses.size() - 1);
			Instrument instrument = latest.instrument();
			ParametersParameterComponent part = new ParametersParameterComponent().setName("instrument");
			part.addPart().setName("questionnaire").setValue(new CanonicalType(instrument.canonical()));
			if (instrument.name() != null) {
				part.addPart().setName("name").setValue(new StringType(instrument.name()));
			}
			if (instrument.title() != null) {
				part.addPart().setName("title").setValue(new StringType(instrument.title()));
			}
			part.addPart().setName("responses").setValue(new IntegerType(responses.size()));
			part.addPart().setName("baselineResponse").setValue(new Reference("QuestionnaireResponse/" + baseline.id()));
			part.addPart().setName("baselineDate").setValue(baseline.response().getAuthoredElement().copy());
			part.addPart().setName("latestResponse").setValue(new Reference("QuestionnaireResponse/" + latest.id()));
			part.addPart().setName("latestDate").setValue(latest.response().getAuthoredElement().copy());
			ReviewSchedule.Interval interval = schedule.intervalFor(serviceKey, instrument);
			part.addPart().setName("reviewInterval").setValue(duration(interval.period()));
			part.addPart().setName("reviewIntervalSource").setValue(new CodeType(interval.source()));
			if (open) {
				Answered latestOfInstrument = latestByUrl.get(instrument.url());
				LocalDate due = schedule.dueAfter(latestOfInstrument.authored(), interval.period());
				part.addPart().setName("nextReviewDue").setValue(new DateType(due.toString()));
				part.addPart().setName("reviewOverdue").setValue(new BooleanType(due.isBefore(today)));
				earliestDue = earliestDue == null || due.isBefore(earliestDue) ? due : earliestDue;
			}
			Scores first = Scores.of(baseline.response(), baseline.instrument());
			Scores last = Scores.of(latest.response(), instrument);
			for (ScoredItem item : instrument.scoredItems()) {
				part.addPart(score("item", item, first.scoreOf(item), last.scoreOf(item)));
			}
			if (instrument.total() != null) {
				part.addPart(score("total", instrument.total(), first.total(), last.total()));
			}
			instruments.add(part);
		}
		if (earliestDue != null) {
			result.addParameter().setName("nextReviewDue").setValue(new DateType(earliestDue.toString()));
		}
		instruments.forEach(result::addParameter);
		return result;
	}

	/** The referral's final responses to scored instruments, oldest first (by authored time, then by when they were stored). */
	private List<Answered> responses(String referralId, AccessScope scope) {
		List<Answered> answered = new ArrayList<>();
		for (StoredResource s : lookup.find("QuestionnaireResponse", Map.of("based-on", "ServiceRequest/" + referralId),
				properties.getMaxResponsesPerReferral(), scope)) {
			QuestionnaireResponse response = fhirContext.newJsonParser().parseResource(QuestionnaireResponse.class, s.json());
			// A referrer's own questionnaire sent with a BaRS referral is its context, not an outcome measured by the provider.
			boolean sendersContext = response.getMeta().getTag("https://spgateway.org/fhir/CodeSystem/sp-record-kind", "sender-context") != null;
			if (sendersContext || !ResponseRules.isFinal(response.getStatus()) || !response.hasAuthored()) {
				continue;
			}
			InstrumentCatalog.Resolution r = catalog.resolve(response.getQuestionnaire());
			if (r.found() && r.instrument().isScored()) {
				answered.add(new Answered(response, s.id(), r.instrument(), response.getAuthored().toInstant(), s.lastUpdated()));
			}
		}
		answered.sort(Comparator.comparing(Answered::authored).thenComparing(Answered::stored).thenComparing(Answered::id));
		return answered;
	}

	private static ParametersParameterComponent score(String name, ScoredItem item, Integer baseline, Integer latest) {
		ParametersParameterComponent p = new ParametersParameterComponent().setName(name);
		p.addPart().setName("linkId").setValue(new StringType(item.linkId()));
		if (!item.codes().isEmpty()) {
			p.addPart().setName("code").setValue(item.codes().get(0).copy());
		}
		if (item.text() != null) {
			p.addPart().setName("text").setValue(new StringType(item.text()));
		}
		p.addPart().setName("range").setValue(new Range().setLow(new Quantity(item.low())).setHigh(new Quantity(item.high())));
		p.addPart().setName("direction").setValue(new CodeType(item.direction().code()));
		if (baseline != null) {
			p.addPart().setName("baseline").setValue(new IntegerType(baseline));
		}
		if (latest != null) {
			p.addPart().setName("latest").setValue(new IntegerType(latest));
		}
		if (baseline != null && latest != null) {
			int change = latest - baseline;
			p.addPart().setName("change").setValue(new IntegerType(change));
			p.addPart().setName("interpretation").setValue(new CodeType(item.direction().interpret(change)));
		}
		return p;
	}

	/** A review interval as a FHIR Duration in the largest whole UCUM unit. */
	static Duration duration(Period period) {
		Duration d = new Duration();
		d.setSystem("http://unitsofmeasure.org");
		if (period.getDays() == 0) {
			if (period.getMonths() == 0) {
				return (Duration) d.setValue(BigDecimal.valueOf(period.getYears())).setUnit(period.getYears() == 1 ? "year" : "years").setCode("a");
			}
			long months = period.toTotalMonths();
			return (Duration) d.setValue(BigDecimal.valueOf(months)).setUnit(months == 1 ? "month" : "months").setCode("mo");
		}
		if (period.toTotalMonths() == 0) {
			int days = period.getDays();
			if (days % 7 == 0) {
				return (Duration) d.setValue(BigDecimal.valueOf(days / 7)).setUnit(days == 7 ? "week" : "weeks").setCode("wk");
			}
			return (Duration) d.setValue(BigDecimal.valueOf(days)).setUnit(days == 1 ? "day" : "days").setCode("d");
		}
		// Months and days together have no single UCUM unit; say it in ISO 8601.
		d.setSystem(null);
		return (Duration) d.setUnit(period.toString());
	}
}
