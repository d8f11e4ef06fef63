package org.spgateway.outcomes;

import ca.uhn.fhir.context.FhirContext;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.ServiceRequest.ServiceRequestStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.resources.ResourceChangeListener;
import org.spgateway.security.AccessScope;
import org.spgateway.store.LocalReference;
import org.spgateway.store.StoredResource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * When reviews fall due. A referral's next review of an instrument is due a review interval after its
 * latest final response to that instrument, while the referral is active. The interval is the most
 * specific of: the referral's service (HealthcareService sp-review-interval) for that instrument, the
 * service for every instrument, the instrument (Questionnaire sp-review-interval), and
 * {@code gateway.outcomes.default-review-interval}.
 *
 * <p>The latest response and due date of every referral and instrument are kept in the outcome_review
 * table, in the same transaction as the writes that change them: responses (here, called by
 * {@link OutcomeCapture}), and, as a change listener, referrals (status, performer), services and
 * Questionnaires (their intervals).
 */
public class ReviewSchedule implements ResourceChangeListener {

	private static final Logger log = LoggerFactory.getLogger(ReviewSchedule.class);
	private static final String COLUMNS = "o.referral_id, o.instrument, o.questionnaire, o.instrument_name, o.patient, o.service,"
			+ " o.latest_response, o.latest_authored, o.review_interval, o.interval_source, o.review_due, o.open";
	private static final String UPSERT = "INSERT INTO outcome_review (referral_id, instrument, questionnaire, instrument_name, patient,"
			+ " service, latest_response, latest_authored, review_interval, interval_source, review_due, open)"
			+ " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (referral_id, instrument) DO UPDATE SET"
			+ " questionnaire = EXCLUDED.questionnaire, instrument_name = EXCLUDED.instrument_name, patient = EXCLUDED.patient,"
			+ " service = EXCLUDED.service, latest_response = EXCLUDED.latest_response, latest_authored = EXCLUDED.latest_authored,"
			+ " review_interval = EXCLUDED.review_interval, interval_source = EXCLUDED.interval_source, review_due = EXCLUDED.review_due,"
			+ " open = EXCLUDED.open WHERE outcome_review.latest_authored <= EXCLUDED.latest_authored";

	private final JdbcTemplate jdbc;
	private final StoreLookup lookup;
	private final InstrumentCatalog catalog;
	private final FhirContext fhirContext;
	private final OutcomesProperties properties;
	private final long ttlNanos;
	private final Map<String, ServiceIntervals> services = new ConcurrentHashMap<>();

	/** An interval and which setting it came from. */
	public record Interval(Period period, String source) {}

	/** A review that is due: one row of outcome_review. */
	public record DueReview(String referralId, String instrument, String questionnaire, String name, String patient, String service,
			String latestResponse, Instant latestAuthored, Period interval, String source, LocalDate due, boolean open) {}

	/** A service's own intervals: for every instrument (key null) and per instrument url. */
	private record ServiceIntervals(Map<String, Period> byInstrument, long loadedAt) {}

	ReviewSchedule(JdbcTemplate jdbc, StoreLookup lookup, InstrumentCatalog catalog, FhirContext fhirContext, OutcomesProperties properties) {
		this.jdbc = jdbc;
		this.lookup = lookup;
		this.catalog = catalog;
		this.fhirContext = fhirContext;
		this.properties = properties;
		this.ttlNanos = properties.getCacheTimeToLive().toNanos();
	}

	// ---------------------------------------------------------------- rules

	public LocalDate today() {
		return LocalDate.now(properties.getTimeZone());
	}

	/** Reviews are due only while the referral is active (not on hold, completed, revoked ...). */
	public static boolean isOpen(ServiceRequest referral) {
		return referral != null && referral.getStatus() == ServiceRequestStatus.ACTIVE;
	}

	/** The date, in the gateway's zone, on which a review falls due after a response authored at {@code authored}. */
	public LocalDate dueAfter(Instant authored, Period interval) {
		return authored.atZone(properties.getTimeZone()).toLocalDate().plus(interval);
	}

	public Interval intervalFor(String serviceKey, Instrument instrument) {
		Map<String, Period> service = serviceKey == null ? Map.of() : serviceIntervals(serviceKey).byInstrument();
		if (instrument.url() != null && service.containsKey(instrument.url())) {
			return new Interval(service.get(instrument.url()), "service-instrument");
		}
		if (service.containsKey("")) {
			return new Interval(service.get(""), "service");
		}
		if (instrument.reviewInterval() != null) {
			return new Interval(instrument.reviewInterval(), "instrument");
		}
		return new Interval(properties.getDefaultReviewInterval(), "default");
	}

	/**
	 * What identifies the service a referral is for: its first performer that is a HealthcareService
	 * (HealthcareService/id), or that names one by identifier (identifier:system|value, e.g. a DoS id).
	 */
	public static String serviceKey(ServiceRequest referral) {
		if (referral == null) {
			return null;
		}
		for (Reference performer : referral.getPerformer()) {
			LocalReference local = LocalReference.parse(performer.getReference());
			if (local != null) {
				if ("HealthcareService".equals(local.type())) {
					return local.versionless();
				}
				continue;
			}
			boolean serviceOrUntyped = !performer.hasType() || "HealthcareService".equals(performer.getType());
			if (serviceOrUntyped && performer.hasIdentifier() && performer.getIdentifier().hasValue()) {
				Identifier id = performer.getIdentifier();
				return "identifier:" + (id.hasSystem() ? id.getSystem() : "") + "|" + id.getValue();
			}
		}
		return null;
	}

	private ServiceIntervals serviceIntervals(String key) {
		ServiceIntervals cached = services.get(key);
		if (cached != null && System.nanoTime() - cached.loadedAt() <= ttlNanos) {
			return cached;
		}
		Map<String, Period> intervals = new LinkedHashMap<>();
		findService(key).ifPresent(service -> {
			for (Extension e : service.getExtensionsByUrl(OutcomeExtensions.REVIEW_INTERVAL)) {
				try {
					Period period = InstrumentCompiler.reviewInterval(e);
					Extension instrument = e.getExtensionByUrl("instrument");
					String url = instrument != null && instrument.hasValue() ? instrument.getValue().primitiveValue() : "";
					// An instrument named with a version still means the instrument.
					intervals.put(url.contains("|") ? url.substring(0, url.indexOf('|')) : url, period);
				} catch (IllegalArgumentException bad) {
					log.warn("Ignoring a review interval on HealthcareService/{}: {}", service.getIdElement().getIdPart(), bad.getMessage());
				}
			}
		});
		ServiceIntervals loaded = new ServiceIntervals(intervals, System.nanoTime());
		services.put(key, loaded);
		return loaded;
	}

	private Optional<HealthcareService> findService(String key) {
		List<StoredResource> found;
		if (key.startsWith("identifier:")) {
			found = lookup.find("HealthcareService", Map.of("identifier", key.substring("identifier:".length())), 1, AccessScope.UNRESTRICTED);
		} else {
			LocalReference ref = LocalReference.parse(key);
			found = lookup.store().read(ref.type(), ref.id(), AccessScope.UNRESTRICTED).map(List::of).orElse(List.of());
		}
		return found.stream().findFirst().map(s -> fhirContext.newJsonParser().parseResource(HealthcareService.class, s.json()));
	}

	// ---------------------------------------------------------------- the outcome_review table

	/**
	 * Records a new final response; it becomes the latest for its referral and instrument unless a later
	 * one is already recorded (responses may be entered out of order).
	 */
	void responded(String referralId, ServiceRequest referral, Instrument instrument, String responseId, Instant authored, Reference subject) {
		String service = serviceKey(referral);
		Interval interval = intervalFor(service, instrument);
		jdbc.update(UPSERT, referralId, instrument.url(), instrument.canonical(), instrument.name(), subject.getReference(), service, responseId,
				Timestamp.from(authored), interval.period().toString(), interval.source(), dueAfter(authored, interval.period()), isOpen(referral));
	}

	/** Rebuilds a referral's rows from its stored final responses (after an amendment or withdrawal). */
	void recompute(String referralId) {
		Optional<StoredResource> stored = lookup.store().read("ServiceRequest", referralId, AccessScope.UNRESTRICTED);
		ServiceRequest referral = stored.map(s -> fhirContext.newJsonParser().parseResource(ServiceRequest.class, s.json())).orElse(null);
		record Latest(Instrument instrument, QuestionnaireResponse response, String id, Instant authored) {}
		Map<String, Latest> latest = new LinkedHashMap<>();
		List<StoredResource> responses = lookup.find("QuestionnaireResponse", Map.of("based-on", "ServiceRequest/" + referralId),
				properties.getMaxResponsesPerReferral(), AccessScope.UNRESTRICTED);
		for (StoredResource s : responses) {
			QuestionnaireResponse response = fhirContext.newJsonParser().parseResource(QuestionnaireResponse.class, s.json());
			if (!ResponseRules.isFinal(response.getStatus()) || !response.hasAuthored()) {
				continue;
			}
			InstrumentCatalog.Resolution r = catalog.resolve(response.getQuestionnaire());
			if (!r.found() || !r.instrument().isScored()) {
				continue;
			}
			Instant authored = response.getAuthored().toInstant();
			Latest current = latest.get(r.instrument().url());
			// Responses come in storage order, so on equal authored times the later write wins, as in responded().
			if (current == null || !authored.isBefore(current.authored())) {
				latest.put(r.instrument().url(), new Latest(r.instrument(), response, s.id(), authored));
			}
		}
		jdbc.update("DELETE FROM outcome_review WHERE referral_id = ?", referralId);
		for (Latest l : latest.values()) {
			responded(referralId, referral, l.instrument(), l.id(), l.authored(), l.response().getSubject());
		}
	}

	/** Reviews due on or before {@code dueBy} on active referrals the caller may see, earliest first. */
	public List<DueReview> due(LocalDate dueBy, String instrument, int offset, int count, AccessScope scope) {
		List<Object> args = new ArrayList<>();
		String where = dueWhere(dueBy, instrument, scope, args);
		args.add(count);
		args.add(offset);
		return jdbc.query("SELECT " + COLUMNS + " FROM outcome_review o JOIN resource r ON r.res_type = 'ServiceRequest' AND r.res_id ="
				+ " o.referral_id WHERE " + where + " ORDER BY o.review_due, o.referral_id, o.instrument LIMIT ? OFFSET ?", (rs, n) -> row(rs),
				args.toArray());
	}

	public int countDue(LocalDate dueBy, String instrument, AccessScope scope) {
		List<Object> args = new ArrayList<>();
		String where = dueWhere(dueBy, instrument, scope, args);
		return jdbc.queryForObject("SELECT count(*) FROM outcome_review o JOIN resource r ON r.res_type = 'ServiceRequest' AND r.res_id ="
				+ " o.referral_id WHERE " + where, Integer.class, args.toArray());
	}

	private static String dueWhere(LocalDate dueBy, String instrument, AccessScope scope, List<Object> args) {
		StringBuilder where = new StringBuilder("o.open AND o.review_due <= ?");
		args.add(dueBy);
		if (instrument != null) {
			where.append(" AND o.instrument = ?");
			args.add(instrument);
		}
		AccessScope.SqlPredicate predicate = scope.predicate();
		if (predicate != null) {
			where.append(" AND (").append(predicate.sql()).append(")");
			args.addAll(predicate.args());
		}
		return where.toString();
	}

	private static DueReview row(java.sql.ResultSet rs) throws java.sql.SQLException {
		return new DueReview(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
				rs.getString(7), rs.getTimestamp(8).toInstant(), Period.parse(rs.getString(9)), rs.getString(10),
				rs.getObject(11, LocalDate.class), rs.getBoolean(12));
	}

	/** Brings the intervals and due dates of the given rows up to date with the current settings. */
	private void refresh(List<DueReview> rows, ServiceRequest referral) {
		for (DueReview row : rows) {
			String service = referral != null ? serviceKey(referral) : row.service();
			boolean open = referral != null ? isOpen(referral) : row.open();
			InstrumentCatalog.Resolution r = catalog.resolve(row.questionnaire());
			Interval interval = r.found() ? intervalFor(service, r.instrument()) : new Interval(row.interval(), row.source());
			LocalDate due = dueAfter(row.latestAuthored(), interval.period());
			if (!interval.period().equals(row.interval()) || !interval.source().equals(row.source()) || !due.equals(row.due())
					|| open != row.open() || !java.util.Objects.equals(service, row.service())) {
				jdbc.update("UPDATE outcome_review SET service = ?, review_interval = ?, interval_source = ?, review_due = ?, open = ?"
						+ " WHERE referral_id = ? AND instrument = ?", service, interval.period().toString(), interval.source(), due, open,
						row.referralId(), row.instrument());
			}
		}
	}

	private List<DueReview> rows(String where, Object... args) {
		return jdbc.query("SELECT " + COLUMNS + " FROM outcome_review o WHERE " + where, (rs, n) -> row(rs), args);
	}

	/** After a restart with a different default interval, rows that used the default get the new one. */
	void applyDefaultInterval() {
		List<DueReview> stale = rows("o.interval_source = 'default' AND o.review_interval <> ?", properties.getDefaultReviewInterval().toString());
		for (DueReview row : stale) {
			jdbc.update("UPDATE outcome_review SET review_interval = ?, review_due = ? WHERE referral_id = ? AND instrument = ?",
					properties.getDefaultReviewInterval().toString(), dueAfter(row.latestAuthored(), properties.getDefaultReviewInterval()),
					row.referralId(), row.instrument());
		}
		if (!stale.isEmpty()) {
			log.info("Review due dates recomputed for the new default interval {}: {} reviews", properties.getDefaultReviewInterval(), stale.size());
		}
	}

	// ---------------------------------------------------------------- changes to what the schedule depends on

	@Override
	public void onChange(StoredResource stored, Resource resource, StoredResource previous) {
		switch (stored.type()) {
			case "ServiceRequest" -> {
				if (previous != null) {
					// The referral may have closed, reopened or moved to another service.
					refresh(rows("o.referral_id = ?", stored.id()), (ServiceRequest) resource);
				}
			}
			case "HealthcareService" -> {
				forgetServices();
				List<String> keys = new ArrayList<>();
				keys.add("HealthcareService/" + stored.id());
				for (Identifier id : ((HealthcareService) resource).getIdentifier()) {
					if (id.hasValue()) {
						keys.add("identifier:" + (id.hasSystem() ? id.getSystem() : "") + "|" + id.getValue());
					}
				}
				refresh(rows("o.service = ANY(?)", (Object) keys.toArray(new String[0])), null);
			}
			case "Questionnaire" -> {
				catalog.forget();
				String url = ((Questionnaire) resource).getUrl();
				if (url != null) {
					refresh(rows("o.instrument = ?", url), null);
				}
			}
			default -> {}
		}
	}

	/** Forgets cached service settings now and when the transaction ends (it may roll back what was read). */
	private void forgetServices() {
		services.clear();
		if (org.springframework.transaction.support.TransactionSynchronizationManager.isSynchronizationActive()) {
			org.springframework.transaction.support.TransactionSynchronizationManager.registerSynchronization(
					new org.springframework.transaction.support.TransactionSynchronization() {
						@Override
						public void afterCompletion(int status) {
							services.clear();
						}
					});
		}
	}
}
