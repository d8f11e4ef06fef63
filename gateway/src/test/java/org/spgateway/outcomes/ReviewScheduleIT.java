package org.spgateway.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Duration;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;
import org.spgateway.testsupport.Golden;

/**
 * Reviews fall due an interval after the latest final response (six months by default; a service or an
 * instrument may say otherwise) while the referral is active, and providers find the ones due with
 * ServiceRequest/$reviews-due.
 */
class ReviewScheduleIT {

	static final ZoneId LONDON = ZoneId.of("Europe/London");
	static final String ONS4 = "https://spgateway.org/fhir/Questionnaire/ons4";
	static final String UCLA3 = "https://spgateway.org/fhir/Questionnaire/ucla3";
	static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = SharedGateway.get();
	}

	@Test
	void reviewFallsDueSixMonthsAfterTheLatestResponseAndIsListedWhenDue() {
		TestReferrals.Referral overdue = TestReferrals.create(gateway);
		OffsetDateTime sevenMonthsAgo = OffsetDateTime.now(ZoneOffset.UTC).minusMonths(7);
		respond(overdue, "ons4-baseline.json", sevenMonthsAgo);
		TestReferrals.Referral recent = TestReferrals.create(gateway);
		OffsetDateTime lastMonth = OffsetDateTime.now(ZoneOffset.UTC).minusMonths(1);
		respond(recent, "ons4-baseline.json", lastMonth);

		Parameters due = reviewsDue("instrument=" + ONS4 + "&_count=500");
		ParametersParameterComponent review = reviewOf(due, overdue).orElseThrow(() -> new AssertionError("overdue review not listed"));
		LocalDate expected = sevenMonthsAgo.atZoneSameInstant(LONDON).toLocalDate().plusMonths(6);
		assertThat(OutcomeRequests.value(review, "reviewDue")).isEqualTo(expected.toString());
		assertThat(OutcomeRequests.value(review, "reviewIntervalSource")).isEqualTo("default");
		assertThat(Integer.parseInt(OutcomeRequests.value(review, "daysOverdue"))).isPositive();
		assertThat(OutcomeRequests.value(review, "patient")).isEqualTo(overdue.patientReference());
		assertThat(reviewOf(due, recent)).as("not due for five months").isEmpty();

		Parameters later = reviewsDue("instrument=" + ONS4 + "&_count=500&dueBy=" + LocalDate.now(LONDON).plusMonths(6));
		assertThat(reviewOf(later, recent)).as("due by six months from now").isPresent();

		Parameters outcomes = OutcomeRequests.outcomes(gateway, recent);
		assertThat(outcomes.getParameter().stream().filter(p -> p.getName().equals("nextReviewDue")).findFirst().orElseThrow()
				.getValue().primitiveValue()).isEqualTo(lastMonth.atZoneSameInstant(LONDON).toLocalDate().plusMonths(6).toString());
	}

	@Test
	void serviceSetsItsOwnIntervalForEveryInstrumentOrForOne() {
		String dosId = "T" + UUID.randomUUID().toString().substring(0, 8);
		HealthcareService service = new HealthcareService();
		service.addIdentifier().setSystem("https://fhir.nhs.uk/Id/dos-service-id").setValue(dosId);
		service.setName("Test link worker service");
		service.setProvidedBy(new Reference().setIdentifier(new org.hl7.fhir.r4.model.Identifier()
				.setSystem("https://fhir.nhs.uk/Id/ods-organization-code").setValue("X99901")));
		service.addExtension(interval(2, null));
		service.addExtension(interval(4, UCLA3));
		String serviceId = gateway.client().create().resource(service).execute().getId().getIdPart();
		Reference performer = new Reference().setType("HealthcareService")
				.setIdentifier(new org.hl7.fhir.r4.model.Identifier().setSystem("https://fhir.nhs.uk/Id/dos-service-id").setValue(dosId));
		TestReferrals.Referral referral = TestReferrals.create(gateway, performer);
		OffsetDateTime threeMonthsAgo = OffsetDateTime.now(ZoneOffset.UTC).minusMonths(3);
		respond(referral, "ons4-baseline.json", threeMonthsAgo);
		respond(referral, "ucla3-baseline.json", threeMonthsAgo);

		Parameters outcomes = OutcomeRequests.outcomes(gateway, referral);
		ParametersParameterComponent ons4 = instrumentNamed(outcomes, "ONS4");
		ParametersParameterComponent ucla3 = instrumentNamed(outcomes, "UCLA3");
		assertThat(OutcomeRequests.value(ons4, "reviewIntervalSource")).isEqualTo("service");
		assertThat(OutcomeRequests.value(ons4, "reviewOverdue")).isEqualTo("true");
		assertThat(OutcomeRequests.value(ucla3, "reviewIntervalSource")).isEqualTo("service-instrument");
		assertThat(OutcomeRequests.value(ucla3, "reviewOverdue")).isEqualTo("false");
		assertThat(reviewOf(reviewsDue("instrument=" + ONS4 + "&_count=500"), referral)).isPresent();
		assertThat(reviewOf(reviewsDue("instrument=" + UCLA3 + "&_count=500"), referral)).isEmpty();

		// The service moves to six-monthly reviews: the review it had due is no longer due.
		HealthcareService changed = gateway.client().read().resource(HealthcareService.class).withId(serviceId).execute();
		changed.getExtension().clear();
		changed.addExtension(interval(6, null));
		gateway.client().update().resource(changed).execute();

		assertThat(reviewOf(reviewsDue("instrument=" + ONS4 + "&_count=500"), referral)).isEmpty();
		assertThat(OutcomeRequests.value(instrumentNamed(OutcomeRequests.outcomes(gateway, referral), "ONS4"), "reviewOverdue")).isEqualTo("false");
	}

	@Test
	void closedReferralHasNoReviewsDue() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		respond(referral, "ons4-baseline.json", OffsetDateTime.now(ZoneOffset.UTC).minusMonths(8));
		assertThat(reviewOf(reviewsDue("instrument=" + ONS4 + "&_count=500"), referral)).isPresent();

		ServiceRequest closed = gateway.client().read().resource(ServiceRequest.class).withId(referral.id()).execute();
		closed.setStatus(ServiceRequest.ServiceRequestStatus.COMPLETED);
		gateway.client().update().resource(closed).execute();

		assertThat(reviewOf(reviewsDue("instrument=" + ONS4 + "&_count=500"), referral)).isEmpty();
		assertThat(OutcomeRequests.outcomes(gateway, referral).getParameter()).noneMatch(p -> p.getName().equals("nextReviewDue"));
	}

	@Test
	void responseEnteredLateForAnEarlierDateDoesNotMoveTheScheduleBack() {
		TestReferrals.Referral referral = TestReferrals.create(gateway);
		OffsetDateTime lastMonth = OffsetDateTime.now(ZoneOffset.UTC).minusMonths(1);
		String latest = respond(referral, "ons4-review.json", lastMonth);
		String earlier = respond(referral, "ons4-baseline.json", lastMonth.minusMonths(10));

		assertThat(reviewOf(reviewsDue("instrument=" + ONS4 + "&_count=500"), referral)).isEmpty();
		ParametersParameterComponent ons4 = instrumentNamed(OutcomeRequests.outcomes(gateway, referral), "ONS4");
		assertThat(OutcomeRequests.value(ons4, "baselineResponse")).isEqualTo("QuestionnaireResponse/" + earlier);
		assertThat(OutcomeRequests.value(ons4, "latestResponse")).isEqualTo("QuestionnaireResponse/" + latest);
	}

	@Test
	void dueByMustBeADate() {
		HttpResponse<String> response = Http.get(gateway.baseUrl() + "/ServiceRequest/$reviews-due?dueBy=2026-13");
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("OperationOutcome");
	}

	private static String respond(TestReferrals.Referral referral, String fixture, OffsetDateTime authored) {
		QuestionnaireResponse response = OutcomeRequests.parse(Golden.fill(ReviewScheduleIT.class, fixture, referral.placeholders()));
		// ISO_OFFSET_DATE_TIME always writes seconds; toString() drops ":00", which FHIR's dateTime rejects.
		response.setAuthoredElement(new DateTimeType(authored.withNano(0).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)));
		return OutcomeRequests.create(gateway, OutcomeRequests.encode(response));
	}

	static Extension interval(int months, String instrument) {
		Extension e = new Extension("https://spgateway.org/fhir/StructureDefinition/sp-review-interval");
		e.addExtension("interval", new Duration().setValue(months).setUnit("months").setSystem("http://unitsofmeasure.org").setCode("mo"));
		if (instrument != null) {
			e.addExtension("instrument", new CanonicalType(instrument));
		}
		return e;
	}

	static Parameters reviewsDue(String query) {
		HttpResponse<String> response = Http.get(gateway.baseUrl() + "/ServiceRequest/$reviews-due?" + query);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Http.parse(response, Parameters.class);
	}

	static Optional<ParametersParameterComponent> reviewOf(Parameters due, TestReferrals.Referral referral) {
		return due.getParameter().stream().filter(p -> p.getName().equals("review"))
				.filter(p -> referral.reference().equals(OutcomeRequests.value(p, "referral"))).findFirst();
	}

	static ParametersParameterComponent instrumentNamed(Parameters outcomes, String name) {
		List<ParametersParameterComponent> found = outcomes.getParameter().stream().filter(p -> p.getName().equals("instrument"))
				.filter(p -> name.equals(OutcomeRequests.value(p, "name"))).toList();
		assertThat(found).hasSize(1);
		return found.get(0);
	}
}
