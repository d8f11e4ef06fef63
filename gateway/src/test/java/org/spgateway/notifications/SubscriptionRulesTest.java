package org.spgateway.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.Test;
import org.spgateway.outbox.OutboundMessage;
import org.spgateway.security.OutboundAddressRules;

/** What a Subscription must be for the gateway to serve it. */
class SubscriptionRulesTest {

	/** Address rules that resolve names as the machine does; example.org does not resolve here, and unresolved names are accepted. */
	static final OutboundAddressRules OPEN = new OutboundAddressRules(InetAddress::getAllByName, List.of(), List.of(), false, null, Set::of);

	static final SubscriptionRules STRICT = new SubscriptionRules(SearchSetup.REGISTRY, SearchSetup.PARSER, SearchSetup.TYPES, true, OPEN, (type, id, h) -> h);

	static Subscription subscription() {
		Subscription s = new Subscription();
		s.setStatus(Subscription.SubscriptionStatus.REQUESTED);
		s.setReason("test");
		s.setCriteria("Task?owner:identifier=https://fhir.nhs.uk/Id/ods-organization-code|X99901");
		s.getChannel().setType(Subscription.SubscriptionChannelType.RESTHOOK).setEndpoint("https://provider.example.org/hooks/sp")
				.setPayload("application/fhir+json; fhirVersion=4.0").addHeader("Authorization:  Bearer abc ");
		return s;
	}

	@Test
	void aGoodSubscriptionIsRead() {
		NotifiableSubscription read = STRICT.check(subscription(), "s1", 3);
		assertThat(read.id()).isEqualTo("s1");
		assertThat(read.version()).isEqualTo(3);
		assertThat(read.payload()).isEqualTo("application/fhir+json");
		assertThat(read.headers()).containsExactly(new OutboundMessage.Header("Authorization", "Bearer abc"));
		assertThat(read.criteria().resourceType()).isEqualTo("Task");
		assertThat(read.channel()).isEqualTo("Subscription/s1");
	}

	@Test
	void plainHttpIsRefusedUnlessAllowed() {
		Subscription s = subscription();
		s.getChannel().setEndpoint("http://provider.example.org/hooks/sp");
		OperationOutcome oo = outcome(s);
		assertThat(oo.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Subscription.channel.endpoint");
		assertThat(oo.getIssueFirstRep().getDiagnostics()).contains("https");
		SubscriptionRules relaxed = new SubscriptionRules(SearchSetup.REGISTRY, SearchSetup.PARSER, SearchSetup.TYPES, false, OPEN, (type, id, h) -> h);
		assertThat(relaxed.check(s, "s1", 1).endpoint()).isEqualTo("http://provider.example.org/hooks/sp");
	}

	@Test
	void everyProblemIsReportedAtOnce() {
		Subscription s = subscription();
		s.setCriteria("Task?colour=blue");
		s.getChannel().setEndpoint(null);
		s.getChannel().setPayload("text/csv");
		s.getChannel().addHeader("Host: elsewhere");
		OperationOutcome oo = outcome(s);
		assertThat(oo.getIssue()).extracting(i -> i.getExpression().get(0).getValue()).containsExactly("Subscription.criteria",
				"Subscription.channel.endpoint", "Subscription.channel.payload", "Subscription.channel.header[1]");
	}

	@Test
	void noPayloadMeansNotificationsWithoutABody() {
		Subscription s = subscription();
		s.getChannel().setPayload(null);
		assertThat(STRICT.check(s, "s1", 1).payload()).isNull();
	}

	@Test
	void headerNamesAndValuesMustBeSafeOnTheWire() {
		Subscription s = subscription();
		s.getChannel().getHeader().clear();
		s.getChannel().addHeader("Bad Name: x").addHeader("X-Ok: line\nbreak").addHeader("X-Request-Id: mine");
		assertThat(outcome(s).getIssue()).extracting(i -> i.getExpression().get(0).getValue())
				.containsExactly("Subscription.channel.header[0]", "Subscription.channel.header[1]", "Subscription.channel.header[2]");
		assertThat(SubscriptionRules.headersOf(s.getChannel(), null)).isEqualTo(List.of());
	}

	static OperationOutcome outcome(Subscription s) {
		UnprocessableEntityException e = catchThrowableOfType(() -> STRICT.check(s, "s1", 1), UnprocessableEntityException.class);
		assertThat(e).as("expected a 422").isNotNull();
		return (OperationOutcome) e.getOperationOutcome();
	}
}
