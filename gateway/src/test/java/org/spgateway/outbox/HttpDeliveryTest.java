package org.spgateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.spgateway.security.OutboundAddressRules;
import org.spgateway.testsupport.HookReceiver;

/**
 * One delivery attempt: the receiver's address is checked again just before it is called, and the
 * error recorded for the receiver's owner names a class of reason, never what the socket said.
 */
class HttpDeliveryTest {

	/** Answers as DNS would, from a value the test changes (a name that moves inward after registration). */
	static final AtomicReference<String> REBOUND = new AtomicReference<>("203.0.113.10");

	static InetAddress[] resolve(String host) throws UnknownHostException {
		if (host.equals("rebound.test")) {
			return new InetAddress[] {InetAddress.getByName(REBOUND.get())};
		}
		return InetAddress.getAllByName(host);
	}

	static HttpDelivery delivery(boolean loopbackAllowed) {
		OutboundAddressRules rules = new OutboundAddressRules(HttpDeliveryTest::resolve, List.of(), List.of(), loopbackAllowed, null, Set::of);
		return new HttpDelivery(Duration.ofSeconds(2), Duration.ofSeconds(2), "test", rules);
	}

	static OutboxStore.Claimed message(String url) {
		return new OutboxStore.Claimed(1, "Subscription/x", "k", "Task/1/_history/1", "POST", url,
				List.of(new OutboundMessage.Header("Authorization", "Bearer secret")), "application/fhir+json", "{}", "c", 1, UUID.randomUUID());
	}

	@Test
	void aLoopbackReceiverIsNeverCalledOutsideTheSandbox() throws InterruptedException {
		try (HookReceiver receiver = HookReceiver.start()) {
			HttpDelivery.Result result = delivery(false).send(message(receiver.url("/hook")), "r1");
			assertThat(result.delivered()).isFalse();
			assertThat(result.error()).startsWith("Could not deliver POST http://localhost:").contains("outbound rule 'loopback'");
			assertThat(receiver.received()).isEmpty();
		}
	}

	@Test
	void aNameThatResolvedOutsideAtRegistrationButInsideNowIsRefusedAtDelivery() throws InterruptedException {
		try (HookReceiver receiver = HookReceiver.start()) {
			String port = receiver.url("/").replaceAll(".*:(\\d+)/$", "$1");
			REBOUND.set("203.0.113.10");
			OutboundAddressRules registration = new OutboundAddressRules(HttpDeliveryTest::resolve, List.of(), List.of(), false, null, Set::of);
			assertThat(registration.check("rebound.test").allowed()).as("public when registered").isTrue();
			REBOUND.set("127.0.0.1");
			HttpDelivery.Result result = delivery(false).send(message("http://rebound.test:" + port + "/hook"), "r2");
			assertThat(result.error()).contains("outbound rule 'loopback'");
			assertThat(receiver.received()).isEmpty();
		}
	}

	@Test
	void aNameNotFoundIsSaidInThoseWords() throws InterruptedException {
		HttpDelivery.Result result = delivery(false).send(message("https://nowhere.invalid/hook"), "r3");
		assertThat(result.error()).isEqualTo("Could not deliver POST https://nowhere.invalid/hook: host name not found");
	}

	@Test
	void theSandboxDeliversToLoopback() throws InterruptedException {
		try (HookReceiver receiver = HookReceiver.start()) {
			HttpDelivery.Result result = delivery(true).send(message(receiver.url("/hook")), "r4");
			assertThat(result.delivered()).as(result.error()).isTrue();
			assertThat(receiver.received()).hasSize(1);
		}
	}

	@Test
	void aClosedPortAndAPlainPortOverHttpsGiveAClassOfReasonNotTheSocketsWords() throws Exception {
		int closed;
		try (ServerSocket s = new ServerSocket(0)) {
			closed = s.getLocalPort();
		}
		HttpDelivery.Result refused = delivery(true).send(message("https://127.0.0.1:" + closed + "/"), "r5");
		assertThat(refused.error()).isEqualTo("Could not deliver POST https://127.0.0.1:" + closed + "/: connection failed");

		try (ServerSocket plain = new ServerSocket(0)) {
			Thread answer = new Thread(() -> answerPlainHttp(plain));
			answer.setDaemon(true);
			answer.start();
			HttpDelivery.Result tls = delivery(true).send(message("https://127.0.0.1:" + plain.getLocalPort() + "/"), "r6");
			assertThat(tls.error()).isEqualTo("Could not deliver POST https://127.0.0.1:" + plain.getLocalPort() + "/: TLS failed (no secure connection"
					+ " could be set up)");
		}
	}

	@Test
	void anHttpErrorIsReportedByItsStatus() throws InterruptedException {
		try (HookReceiver receiver = HookReceiver.start()) {
			receiver.answer(503);
			HttpDelivery.Result result = delivery(true).send(message(receiver.url("/hook")), "r7");
			assertThat(result.status()).isEqualTo(503);
			assertThat(result.error()).endsWith("/hook: HTTP 503");
		}
	}

	/** A port that speaks plain HTTP: what a TLS client meets when it is pointed at an internal web server. */
	private static void answerPlainHttp(ServerSocket server) {
		try (Socket s = server.accept()) {
			s.getInputStream().read(new byte[512]);
			s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
