package org.spgateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.Errors;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.HookReceiver;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.ReferralWork;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Partners' header values are write-only: every read shows the header's name and {@code ***}, the
 * database holds them encrypted, and deliveries carry the real values.
 */
class HeaderSecretsIT {

	static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	static final String TOKEN = "Bearer partner-token-" + UUID.randomUUID();
	static final String API_KEY = "key-" + UUID.randomUUID();
	static final Duration WAIT = Duration.ofSeconds(60);

	static GatewayServer gateway;
	static HookReceiver receiver;
	static JdbcTemplate jdbc;

	@BeforeAll
	static void start() {
		receiver = HookReceiver.start();
		gateway = GatewayServer.start("gateway.sandbox=true", "gateway.notifications.require-https=false",
				"gateway.notifications.delivery.poll-interval=200ms");
		jdbc = gateway.bean(JdbcTemplate.class);
	}

	@AfterAll
	static void stop() {
		gateway.close();
		receiver.close();
	}

	static String ods() {
		return "T" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
	}

	static Subscription subscription(String ods, String path, String... headers) {
		Subscription s = new Subscription();
		s.setStatus(Subscription.SubscriptionStatus.REQUESTED);
		s.setReason("header secrets test");
		s.setCriteria("Task?owner:identifier=" + ODS + "|" + ods);
		s.getChannel().setType(Subscription.SubscriptionChannelType.RESTHOOK).setEndpoint(receiver.url(path))
				.setPayload("application/fhir+json");
		for (String h : headers) {
			s.getChannel().addHeader(h);
		}
		return s;
	}

	static Subscription create(Subscription s) {
		HttpResponse<String> created = Http.post(gateway.baseUrl() + "/Subscription", Http.json(s));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		assertThat(created.body()).doesNotContain(TOKEN).doesNotContain(API_KEY);
		return Http.parse(created, Subscription.class);
	}

	static List<String> headers(Subscription s) {
		return s.getChannel().getHeader().stream().map(StringType::getValue).toList();
	}

	/** A new Task for the ODS code, and the notification the receiver got for it. */
	static HookReceiver.Received notifyAbout(String ods, String path) {
		String taskId = ReferralWork.refer(gateway, ReferralWork.addProvider(gateway, ods)).taskId();
		return receiver.await(r -> r.path().equals(path + "/Task/" + taskId), 1, WAIT).get(0);
	}

	@Test
	void headerValuesAreMaskedOnReadSearchAndHistory() {
		Subscription stored = create(subscription(ods(), "/masked", "Authorization: " + TOKEN, "X-Api-Key: " + API_KEY));
		String id = stored.getIdElement().getIdPart();
		assertThat(headers(stored)).containsExactly("Authorization: ***", "X-Api-Key: ***");
		for (String url : List.of("/Subscription/" + id, "/Subscription/" + id + "/_history/1", "/Subscription/" + id + "/_history",
				"/Subscription?_id=" + id, "/Subscription?status=active&_count=500")) {
			HttpResponse<String> response = Http.get(gateway.baseUrl() + url);
			assertThat(response.statusCode()).as(url).isEqualTo(200);
			assertThat(response.body()).as(url).doesNotContain(TOKEN).doesNotContain(API_KEY);
		}
		assertThat(Http.get(gateway.baseUrl() + "/Subscription/" + id).body()).contains("Authorization: ***");
	}

	@Test
	void theDatabaseHoldsTheValuesOnlyEncryptedAndTheyDecryptWithTheConfiguredKey() {
		String ods = ods();
		Subscription stored = create(subscription(ods, "/raw", "Authorization: " + TOKEN));
		String id = stored.getIdElement().getIdPart();
		List<String> versions = jdbc.queryForList("SELECT v.content FROM resource_version v JOIN resource r ON r.res_pk = v.res_pk"
				+ " WHERE r.res_type = 'Subscription' AND r.res_id = ?", String.class, id);
		assertThat(versions).isNotEmpty().allSatisfy(json -> assertThat(json).doesNotContain(TOKEN).contains("Authorization: ***"));
		String sealed = jdbc.queryForObject("SELECT value FROM header_secret WHERE resource_type = 'Subscription' AND resource_id = ?",
				String.class, id);
		assertThat(sealed).doesNotContain(TOKEN).doesNotContain("partner-token");
		SecretCipher cipher = new SecretCipher(Base64.getDecoder().decode(GatewayServer.TEST_SECRETS_KEY), List.of());
		assertThat(cipher.decrypt(sealed)).isEqualTo(TOKEN);

		HookReceiver.Received got = notifyAbout(ods, "/raw");
		assertThat(got.header("Authorization")).isEqualTo(TOKEN);
		List<String> outbox = jdbc.queryForList("SELECT headers::text FROM outbox_message WHERE channel = ?", String.class, "Subscription/" + id);
		assertThat(outbox).isNotEmpty().allSatisfy(h -> assertThat(h).doesNotContain(TOKEN).contains("Authorization"));
	}

	@Test
	void anUpdateSendingTheMaskBackKeepsTheValueAndANewValueReplacesIt() {
		String ods = ods();
		Subscription stored = create(subscription(ods, "/kept", "Authorization: " + TOKEN));
		String id = stored.getIdElement().getIdPart();
		stored.setReason("renamed, header sent back as read");
		HttpResponse<String> put = Http.put(gateway.baseUrl() + "/Subscription/" + id, Http.json(stored));
		assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
		assertThat(notifyAbout(ods, "/kept").header("Authorization")).isEqualTo(TOKEN);

		Subscription read = Http.parse(Http.get(gateway.baseUrl() + "/Subscription/" + id), Subscription.class);
		read.getChannel().getHeader().clear();
		read.getChannel().addHeader("Authorization: Bearer rotated");
		assertThat(Http.put(gateway.baseUrl() + "/Subscription/" + id, Http.json(read)).statusCode()).isEqualTo(200);
		assertThat(notifyAbout(ods, "/kept").header("Authorization")).isEqualTo("Bearer rotated");
	}

	@Test
	void aNotificationAboutASubscriptionChangeShowsItsHeadersMasked() {
		String watchedUrl = receiver.url("/watched-" + UUID.randomUUID());
		Subscription watcher = subscription(ods(), "/watcher");
		watcher.setCriteria("Subscription?url=" + watchedUrl);
		create(watcher);
		Subscription watched = subscription(ods(), "/unused", "Authorization: " + TOKEN);
		watched.getChannel().setEndpoint(watchedUrl);
		String id = create(watched).getIdElement().getIdPart();
		HookReceiver.Received got = receiver.await(r -> r.path().equals("/watcher/Subscription/" + id), 1, WAIT).get(0);
		assertThat(got.body()).contains("Authorization: ***").doesNotContain(TOKEN);
	}

	@Test
	void aMaskWithNothingStoredBehindItIsRefused() {
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/Subscription", Http.json(subscription(ods(), "/none", "Authorization: ***")));
		OperationOutcome outcome = Errors.outcome(response, 422);
		assertThat(Errors.expressions(outcome.getIssue())).containsExactly("Subscription.channel.header[0]");
		assertThat(Errors.diagnostics(outcome.getIssue())).contains("none is stored");
	}

	@Test
	void endpointHeaderValuesAreMaskedAndKeptEncrypted() {
		Endpoint e = new Endpoint();
		e.setStatus(Endpoint.EndpointStatus.ACTIVE);
		e.setConnectionType(new Coding("http://terminology.hl7.org/CodeSystem/endpoint-connection-type", "hl7-fhir-msg", null));
		e.addPayloadType(new CodeableConcept().setText("BaRS messages"));
		e.setAddress("https://203.0.113.10/fhir");
		e.addHeader("Authorization: " + TOKEN);
		HttpResponse<String> created = Http.post(gateway.baseUrl() + "/Endpoint", Http.json(e));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		String id = Http.parse(created, Endpoint.class).getIdElement().getIdPart();
		for (String url : List.of("/Endpoint/" + id, "/Endpoint?_id=" + id, "/Endpoint/" + id + "/_history")) {
			String body = Http.get(gateway.baseUrl() + url).body();
			assertThat(body).as(url).doesNotContain(TOKEN).contains("Authorization: ***");
		}
		String sealed = jdbc.queryForObject("SELECT value FROM header_secret WHERE resource_type = 'Endpoint' AND resource_id = ?", String.class, id);
		assertThat(sealed).doesNotContain(TOKEN);
	}
}
